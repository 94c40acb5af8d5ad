// Regression: in a browser the client core never sent its hello, as the
// page's first connect failed with "Illegal invocation": a browser's host
// functions (queueMicrotask) throw unless called on the global, and the core
// called one as a method of its own object. Node's do not mind, so this test
// makes queueMicrotask as strict as a browser's before loading the core.

import assert from "node:assert/strict";
import { it } from "node:test";
import type { ByteStream } from "../../../src/client/byte-stream.js";

const hostQueueMicrotask = globalThis.queueMicrotask;
globalThis.queueMicrotask = function strict(this: unknown, callback: VoidFunction) {
  if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
  hostQueueMicrotask(callback);
};

it("calls the host's queueMicrotask on the global, as a browser requires", async () => {
  const { ChatClient } = await import("../../../src/client/chat-client.js");
  const writes: Uint8Array[] = [];
  let closed = (_reason: string) => {};
  const stream: ByteStream = {
    write: (bytes) => {
      writes.push(bytes);
    },
    bufferedBytes: 0,
    close: () => closed("connection closed"),
    listen: (handlers) => {
      closed = handlers.close;
    },
  };
  const client = new ChatClient({ dial: async () => stream, nick: "ana", clientName: "unit/1" });
  const joining = client.connect().catch((error: Error) => error.message);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(writes.length, 1, "the handshake and hello left in one write");
  await client.close();
  assert.equal(await joining, "cannot join: connection closed");
});
