// Per-connection send queue. Writes are gathered and handed to the socket once
// per event-loop turn, so a burst of fan-out costs one syscall per receiver.

import { unfilledBytes } from "../node/unfilled-bytes.js";
import { FlushTurn, WriteBatcher } from "../protocol/write-batcher.js";

/** After the turn's I/O: everything its reads sent goes out in one write per connection. */
const turn = new FlushTurn(setImmediate);

export class OutboundQueue extends WriteBatcher {
  constructor(write: (bytes: Uint8Array) => void) {
    super(write, { turn, allocate: unfilledBytes });
  }
}
