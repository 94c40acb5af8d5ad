// Who may start an upload, and the disk promised to uploads before their
// bytes arrive: a few under way per client and per address, never more than
// the disk has room for, and never more than half of that to one address, so
// that nobody can promise themselves all of it and keep everyone else out.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { MAX_UPLOADS_PER_CLIENT } from "../protocol/frame.js";
import { formatBytes } from "../protocol/render.js";
import type { DiskSpace } from "./spool.js";
import type { FilePeer, Transfer } from "./transfer.js";

/** Uploads under way from one address, whatever the number of its connections. */
const MAX_UPLOADS_PER_ADDRESS = 16;

/**
 * Disk space always left free, so a full spool cannot starve the system: 64 MiB,
 * or a twentieth of a file system too small for that to make sense.
 */
function freeSpaceMargin(total: number): number {
  return Math.min(64 * 1024 * 1024, Math.floor(total / 20));
}

/** An offer being set up: its slot and its bytes are counted from the moment it is made. */
export interface Reservation {
  readonly peer: FilePeer;
  readonly bytes: number;
}

interface SenderUploads {
  offers: number;
  readonly transfers: Set<Transfer>;
}

interface AddressUploads {
  uploads: number;
  /** What this address's offers and uploads under way are still to send. */
  promised: number;
}

export class UploadQuotas {
  readonly #bySender = new Map<FilePeer, SenderUploads>();
  readonly #byAddress = new Map<string, AddressUploads>();
  /** What every offer being set up and every upload under way is still to send. */
  #promised = 0;

  /** Counts an offer of `size` bytes from `peer`, or says why it may not be made now. */
  reserve(peer: FilePeer, size: number): Reservation | ProtocolError {
    const sender = this.#bySender.get(peer);
    const underWay = (sender?.offers ?? 0) + (sender?.transfers.size ?? 0);
    if (underWay >= MAX_UPLOADS_PER_CLIENT) {
      return new ProtocolError(
        ErrorCode.BadTransfer,
        `you are already sending ${underWay} files; wait for one to finish`,
      );
    }
    const address = this.#address(peer.address);
    if (address.uploads >= MAX_UPLOADS_PER_ADDRESS) {
      return new ProtocolError(
        ErrorCode.BadTransfer,
        `${address.uploads} files are already being sent from your address; wait for one to finish`,
      );
    }
    this.#sender(peer).offers += 1;
    address.uploads += 1;
    address.promised += size;
    this.#promised += size;
    return { peer, bytes: size };
  }

  /** Why `disk` has no room for `reservation` now, counting everything promised; undefined if it has. */
  spaceProblem(reservation: Reservation, disk: DiskSpace): ProtocolError | undefined {
    const room = disk.free - freeSpaceMargin(disk.total);
    const available = room - (this.#promised - reservation.bytes);
    if (reservation.bytes > available) {
      return new ProtocolError(
        ErrorCode.NoSpace,
        `the server has room for ${formatBytes(Math.max(0, available))} now; the file is ${formatBytes(reservation.bytes)}`,
      );
    }
    const promised = this.#byAddress.get(reservation.peer.address)?.promised ?? 0;
    if (promised > room / 2) {
      return new ProtocolError(
        ErrorCode.NoSpace,
        `files sent from one address may take up to half the server's free space (${formatBytes(Math.max(0, room / 2))} now), with those under way; wait for yours to finish`,
      );
    }
    return undefined;
  }

  /**
   * Bytes `reservation` could still take of `disk` now, within both limits: for
   * an upload whose size is not known until it ends (the original client's).
   */
  room(reservation: Reservation, disk: DiskSpace): number {
    const room = disk.free - freeSpaceMargin(disk.total);
    const available = room - (this.#promised - reservation.bytes);
    const byAddress = this.#byAddress.get(reservation.peer.address)?.promised ?? 0;
    return Math.max(0, Math.min(available, room / 2 - (byAddress - reservation.bytes)));
  }

  /** The offer was refused, or its sender left before it was set up. */
  cancel(reservation: Reservation): void {
    this.#settleOffer(reservation);
    this.#release(reservation.peer.address, reservation.bytes, 1);
  }

  /** The offer is now `transfer`, under way. */
  started(reservation: Reservation, transfer: Transfer): void {
    this.#settleOffer(reservation);
    this.#sender(reservation.peer).transfers.add(transfer);
  }

  /** `bytes` more of `transfer` arrived: they are no longer promised, they are on their way to disk. */
  arrived(transfer: Transfer, bytes: number): void {
    this.#release(transfer.fromAddress, bytes, 0);
  }

  /** `transfer` is over (verified, failed or cancelled): its slot and what it did not send are free. */
  ended(transfer: Transfer): void {
    if (transfer.from !== undefined) this.#bySender.get(transfer.from)?.transfers.delete(transfer);
    this.#release(transfer.fromAddress, transfer.size - transfer.received, 1);
  }

  /** `peer`'s uploads under way. */
  uploadsOf(peer: FilePeer): Transfer[] {
    return [...(this.#bySender.get(peer)?.transfers ?? [])];
  }

  /** `peer` has left; its uploads have been ended. */
  forget(peer: FilePeer): void {
    this.#bySender.delete(peer);
  }

  #settleOffer(reservation: Reservation): void {
    const sender = this.#bySender.get(reservation.peer);
    if (sender !== undefined) sender.offers -= 1;
  }

  #release(address: string, bytes: number, uploads: number): void {
    this.#promised -= bytes;
    const entry = this.#byAddress.get(address);
    if (entry === undefined) return;
    entry.promised -= bytes;
    entry.uploads -= uploads;
    if (entry.uploads === 0) this.#byAddress.delete(address);
  }

  #sender(peer: FilePeer): SenderUploads {
    let uploads = this.#bySender.get(peer);
    if (uploads === undefined) {
      uploads = { offers: 0, transfers: new Set() };
      this.#bySender.set(peer, uploads);
    }
    return uploads;
  }

  #address(address: string): AddressUploads {
    let uploads = this.#byAddress.get(address);
    if (uploads === undefined) {
      uploads = { uploads: 0, promised: 0 };
      this.#byAddress.set(address, uploads);
    }
    return uploads;
  }
}
