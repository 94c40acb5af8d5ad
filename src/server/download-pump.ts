// Sends file data to one receiver through a ChunkSender (src/protocol): one
// chunk at a time, only when its connection has room, in turn over the
// transfers that can make progress, within each transfer's window. Receivers
// that keep up are served from the upload's newest bytes in memory; only those
// that fall behind read the spool.

import { ChunkSender } from "../protocol/chunk-sender.js";
import type { Delivery, FilePeer } from "./transfer.js";

/** What the pump tells its owner, the relay. */
export interface PumpEvents {
  /** `delivery` has sent all it may and waits on its receiver: a window grant, or a confirmation. */
  waiting(delivery: Delivery): void;
  /** The spool could not be read for `delivery`. */
  unreadable(delivery: Delivery, error: Error): void;
}

export class DownloadPump {
  readonly #sender: ChunkSender<Delivery>;

  constructor(peer: FilePeer, events: PumpEvents) {
    this.#sender = new ChunkSender({
      direction: "down",
      link: {
        bulkReady: () => peer.bulkReady,
        writeBulk: (header, data) => peer.sendBulk(header, data),
      },
      files: {
        id: (d) => d.transfer.id,
        live,
        readable: (d) => d.transfer.spooled,
        endable: (d) =>
          !d.endSent && d.offset === d.transfer.size && d.transfer.state === "verified",
        read: (d, offset, length) => d.transfer.spool.read(offset, length),
        recent: (d, offset, length) => d.transfer.recent(offset, length),
        end: (d) => {
          d.endSent = true;
          peer.deliver({
            type: "file-end",
            id: d.transfer.id,
            sha256: d.transfer.sha256 as Uint8Array,
          });
        },
        paused: (d) => {
          if (awaitsReceiver(d)) events.waiting(d);
        },
        unreadable: (d, error) => events.unreadable(d, error),
      },
    });
  }

  /** `delivery` may be able to make progress now. */
  ready(delivery: Delivery): void {
    this.#sender.ready(delivery);
  }

  /** Called when data, window or connection room may have become available. */
  wake(): void {
    this.#sender.wake();
  }
}

/** Still under way; an aborted transfer's copies are settled by the relay. */
function live(d: Delivery): boolean {
  return d.outcome === undefined && d.transfer.state !== "aborted";
}

function awaitsReceiver(d: Delivery): boolean {
  return live(d) && (d.endSent || (d.credit <= 0 && d.offset < d.transfer.size));
}
