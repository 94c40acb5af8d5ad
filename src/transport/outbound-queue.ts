// Per-connection send queue. Writes are gathered and handed to the socket once
// per event-loop turn, so a burst of fan-out costs one syscall per receiver.

import { FlushTurn, WriteBatcher } from "../protocol/write-batcher.js";

/** After the turn's I/O: everything its reads sent goes out in one write per connection. */
const turn = new FlushTurn(setImmediate);

export class OutboundQueue extends WriteBatcher {
  constructor(write: (bytes: Uint8Array) => void) {
    // Node's own join: no zero-fill, and cheaper per chunk than a loop of set().
    super(write, { turn, join: (chunks, length) => Buffer.concat(chunks, length) });
  }
}
