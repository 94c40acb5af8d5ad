// The text codec in-process: lines in, and the original client's upload — a
// SEND line, raw bytes, an end marker — however the stream is cut into reads.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProtocolError } from "../../src/protocol/errors.js";
import type { Inbound } from "../../src/transport/connection.js";
import { TextCodec } from "../../src/transport/text-codec.js";

/** What the codec hands on, with the upload's bytes joined up. */
function decodeAll(chunks: Uint8Array[]): string[] {
  const codec = new TextCodec(4096);
  const seen: string[] = [];
  let data: number[] | undefined;
  const handler = {
    message(m: Inbound) {
      if (m.type === "legacy-data") {
        (data as number[]).push(...m.data);
        return;
      }
      if (m.type === "legacy-end") {
        seen.push(`file ${Buffer.from(data as number[]).toString("latin1")}`);
        data = undefined;
        return;
      }
      if (m.type === "legacy-start") data = [];
      seen.push(JSON.stringify(m));
    },
    invalid(error: ProtocolError) {
      seen.push(`invalid ${error.code}`);
    },
    drain() {},
    closed() {},
  };
  for (const chunk of chunks) codec.decode(chunk, handler);
  return seen;
}

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

describe("TextCodec", () => {
  it("takes SEND <path>, the bytes up to the end marker, and lines again, cut anywhere", () => {
    // Bytes of a file: a newline, a near-miss of the marker, a byte that is not UTF-8.
    const file = "a\nb//AGUEL//TAM\xff";
    const stream = bytes(`before\nSEND /home/u/See-Saw.mp3\n${file}//AGUEL//TAMTAM//after\n`);
    const expected = [
      JSON.stringify({ type: "say", text: "before", seq: 0 }),
      JSON.stringify({ type: "legacy-start", path: "/home/u/See-Saw.mp3" }),
      `file ${file}`,
      JSON.stringify({ type: "say", text: "after", seq: 0 }),
    ];
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const chunks = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)];
        assert.deepEqual(decodeAll(chunks), expected, `cut at ${i} and ${j}`);
      }
    }
  });

  it("keeps a line that only mentions SEND as chat, and a bare SEND as a usage error", () => {
    assert.deepEqual(decodeAll([bytes("I will SEND it later\nSEND\n")]), [
      JSON.stringify({ type: "say", text: "I will SEND it later", seq: 0 }),
      "invalid CHAT_ERR_UNKNOWN_COMMAND",
    ]);
  });
});
