// Sends file data to one receiver: one chunk at a time, only when its
// connection has room, round-robin over its transfers, within each transfer's
// window. A slow receiver costs a file position, not memory.

import { sliceBlock } from "../protocol/bytes.js";
import { FILE_CHUNK_BYTES } from "../protocol/frame.js";
import { fileChunkHeader } from "../protocol/messages.js";
import type { Delivery, FilePeer } from "./transfer.js";

/** Bytes read from the spool at once for a receiver that lags behind the upload. */
const READ_BLOCK_BYTES = 256 * 1024;

export class DownloadPump {
  readonly #peer: FilePeer;
  readonly #deliveries: Delivery[] = [];
  #turn = 0;
  #running = false;

  constructor(peer: FilePeer) {
    this.#peer = peer;
  }

  get idle(): boolean {
    return this.#deliveries.length === 0;
  }

  add(delivery: Delivery): void {
    this.#deliveries.push(delivery);
    this.wake();
  }

  remove(delivery: Delivery): void {
    const index = this.#deliveries.indexOf(delivery);
    if (index >= 0) this.#deliveries.splice(index, 1);
  }

  /** Called when data, window or connection room may have become available. */
  wake(): void {
    if (!this.#running) void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#peer.bulkReady) {
        const delivery = this.#pick();
        if (delivery === undefined) return;
        const { transfer } = delivery;
        if (delivery.offset === transfer.size) {
          delivery.endSent = true;
          this.#peer.deliver({
            type: "file-end",
            id: transfer.id,
            sha256: transfer.sha256 as Uint8Array,
          });
          continue;
        }
        const offset = delivery.offset;
        const wanted = Math.min(FILE_CHUNK_BYTES, delivery.credit, transfer.spooled - offset);
        let data = transfer.recent(offset, wanted) ?? sliceBlock(delivery.block, offset, wanted);
        if (data === undefined) {
          try {
            // A block at a time: one disk read serves several chunks.
            const length = Math.min(READ_BLOCK_BYTES, transfer.spooled - offset);
            delivery.block = { offset, data: await transfer.spool.read(offset, length) };
            data = sliceBlock(delivery.block, offset, wanted) as Uint8Array;
          } catch {
            // The transfer was aborted under us; its owner tells the receiver.
            this.remove(delivery);
            continue;
          }
          if (!this.#deliveries.includes(delivery) || delivery.offset !== offset) continue;
        }
        const length = data.length;
        this.#peer.sendBulk(fileChunkHeader("down", transfer.id, offset, length), data);
        delivery.offset += length;
        delivery.credit -= length;
      }
    } finally {
      this.#running = false;
    }
  }

  /** The next delivery, in turn, that can make progress now. */
  #pick(): Delivery | undefined {
    const count = this.#deliveries.length;
    for (let i = 0; i < count; i++) {
      const delivery = this.#deliveries[(this.#turn + i) % count] as Delivery;
      const { transfer } = delivery;
      const canSend = delivery.credit > 0 && delivery.offset < transfer.spooled;
      const canEnd =
        !delivery.endSent && delivery.offset === transfer.size && transfer.sha256 !== undefined;
      if (canSend || canEnd) {
        this.#turn = (this.#turn + i + 1) % count;
        return delivery;
      }
    }
    return undefined;
  }
}
