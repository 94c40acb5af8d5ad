// An upload sent frame by frame over a hand-driven connection, within the
// window the server grants: for tests that need many files, or a receiver
// that misbehaves, without the client core in between.

import { createHash } from "node:crypto";
import { FILE_CHUNK_BYTES, UPLOAD_WINDOW_BYTES } from "../../src/protocol/frame.js";
import type { RawNative } from "./raw-native.js";

let nextSeq = 1_000_000;

/** Offers `data` as `name` and sends all of it and its end; resolves with the transfer id. */
export async function rawUpload(peer: RawNative, name: string, data: Uint8Array): Promise<number> {
  const seq = nextSeq++;
  peer.send({ type: "file-offer", seq, name, size: data.length });
  const reply = await peer.waitFor(
    (m) => (m.type === "file-accepted" || m.type === "error") && m.seq === seq,
  );
  if (reply.type !== "file-accepted") throw new Error(`offer refused: ${JSON.stringify(reply)}`);
  const { id } = reply;
  const granted = () =>
    peer.received.reduce((n, m) => n + (m.type === "file-window" && m.id === id ? m.bytes : 0), 0);
  for (let offset = 0; offset < data.length; ) {
    const credit = UPLOAD_WINDOW_BYTES + granted() - offset;
    if (credit <= 0) {
      await peer.waitFor(() => UPLOAD_WINDOW_BYTES + granted() - offset > 0);
      continue;
    }
    const length = Math.min(FILE_CHUNK_BYTES, credit, data.length - offset);
    peer.send({ type: "file-chunk", id, offset, data: data.subarray(offset, offset + length) });
    offset += length;
  }
  peer.send({ type: "file-end", id, sha256: createHash("sha256").update(data).digest() });
  return id;
}

/** A receiver that takes every chunk and grants its window back, but never confirms a file. */
export function neverConfirm(peer: RawNative): void {
  peer.socket.on("data", () => {
    for (const m of peer.received.splice(0)) {
      if (m.type === "file-chunk")
        peer.send({ type: "file-window", id: m.id, bytes: m.data.length });
    }
  });
}
