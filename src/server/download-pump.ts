// Sends file data to one receiver: one chunk at a time, only when its
// connection has room, round-robin over the transfers that can make progress,
// within each transfer's window. A slow receiver costs a file position, not
// memory, and a transfer that is waiting costs the pump nothing: only those
// told they may go on (data spooled, window granted, upload verified) queue up.

import { type Block, sliceBlock } from "../protocol/bytes.js";
import { FILE_CHUNK_BYTES } from "../protocol/frame.js";
import { fileChunkHeader } from "../protocol/messages.js";
import type { Delivery, FilePeer } from "./transfer.js";

/** Bytes read from the spool at once for a receiver that lags behind the upload. */
const READ_BLOCK_BYTES = 1024 * 1024;

/** What the pump tells its owner, the relay. */
export interface PumpEvents {
  /** `delivery` has sent all it may and waits on its receiver: a window grant, or a confirmation. */
  waiting(delivery: Delivery): void;
  /** The spool could not be read for `delivery`. */
  unreadable(delivery: Delivery, error: Error): void;
}

export class DownloadPump {
  readonly #peer: FilePeer;
  readonly #events: PumpEvents;
  /** Deliveries that may make progress, in turn; some may have settled since they queued. */
  #queue: Delivery[] = [];
  #head = 0;
  /** The last block read from the spool, for the delivery it was read for. */
  #block: (Block & { delivery: Delivery }) | undefined;
  #running = false;

  constructor(peer: FilePeer, events: PumpEvents) {
    this.#peer = peer;
    this.#events = events;
  }

  /** `delivery` may be able to make progress now. */
  ready(delivery: Delivery): void {
    if (!delivery.queued && delivery.outcome === undefined) {
      delivery.queued = true;
      this.#queue.push(delivery);
    }
    this.wake();
  }

  /** Called when data, window or connection room may have become available. */
  wake(): void {
    if (!this.#running) void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#peer.bulkReady) {
        const delivery = this.#next();
        if (delivery === undefined) return;
        // Stays marked as queued while served, so a wake-up meanwhile does not queue it twice.
        await this.#serve(delivery);
        if (canProgress(delivery)) this.#queue.push(delivery);
        else {
          delivery.queued = false;
          if (this.#block?.delivery === delivery) this.#block = undefined;
          if (awaitsReceiver(delivery)) this.#events.waiting(delivery);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** The next queued delivery that can make progress now. */
  #next(): Delivery | undefined {
    while (this.#head < this.#queue.length) {
      const delivery = this.#queue[this.#head] as Delivery;
      this.#head += 1;
      if (canProgress(delivery)) {
        this.#compact();
        return delivery;
      }
      delivery.queued = false;
    }
    this.#queue = [];
    this.#head = 0;
    return undefined;
  }

  /** Sends `delivery` its next chunk, or its end. */
  async #serve(delivery: Delivery): Promise<void> {
    const { transfer } = delivery;
    if (delivery.offset === transfer.size) {
      delivery.endSent = true;
      this.#peer.deliver({
        type: "file-end",
        id: transfer.id,
        sha256: transfer.sha256 as Uint8Array,
      });
      return;
    }
    const offset = delivery.offset;
    const wanted = Math.min(FILE_CHUNK_BYTES, delivery.credit, transfer.spooled - offset);
    let data =
      transfer.recent(offset, wanted) ??
      (this.#block?.delivery === delivery ? sliceBlock(this.#block, offset, wanted) : undefined);
    if (data === undefined) {
      try {
        // A block at a time: one disk read serves several chunks.
        const length = Math.min(READ_BLOCK_BYTES, transfer.spooled - offset);
        this.#block = { delivery, offset, data: await transfer.spool.read(offset, length) };
      } catch (error) {
        // Aborted under us, its owner has settled it already; otherwise it cannot go on.
        if (delivery.outcome === undefined && delivery.transfer.state !== "aborted")
          this.#events.unreadable(delivery, error as Error);
        return;
      }
      // Settled, restarted by a /get or cut off while the disk was read: try again in turn.
      if (delivery.outcome !== undefined || delivery.offset !== offset) return;
      data = sliceBlock(this.#block, offset, wanted) as Uint8Array;
    }
    this.#peer.sendBulk(fileChunkHeader("down", transfer.id, offset, data.length), data);
    delivery.offset += data.length;
    delivery.credit -= data.length;
  }

  /** Drops served entries once they are most of the queue, so it never grows unbounded. */
  #compact(): void {
    if (this.#head > 64 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

function canProgress(d: Delivery): boolean {
  if (d.outcome !== undefined || d.transfer.state === "aborted") return false;
  const { transfer } = d;
  if (d.offset < transfer.spooled) return d.credit > 0;
  return !d.endSent && d.offset === transfer.size && transfer.state === "verified";
}

function awaitsReceiver(d: Delivery): boolean {
  if (d.outcome !== undefined || d.transfer.state === "aborted") return false;
  return d.endSent || (d.credit <= 0 && d.offset < d.transfer.size);
}
