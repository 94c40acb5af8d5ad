// The native codec checks the handshake itself, whoever chose it: the magic and
// the version byte, then frames, cut across reads in every way.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, type ProtocolError } from "../../src/protocol/errors.js";
import { handshakeBytes, PROTOCOL_VERSION } from "../../src/protocol/frame.js";
import { type ClientMessage, encodeClientMessage } from "../../src/protocol/messages.js";
import { NativeCodec } from "../../src/transport/native-codec.js";

function decodeAll(chunks: readonly Uint8Array[]) {
  const codec = new NativeCodec();
  const messages: unknown[] = [];
  const errors: ProtocolError[] = [];
  const handler = {
    message: (m: unknown) => messages.push(m),
    invalid: (error: ProtocolError) => errors.push(error),
    drain() {},
    closed() {},
  };
  for (const chunk of chunks) codec.decode(chunk, handler);
  return { messages, errors };
}

const say: ClientMessage = { type: "say", seq: 1, text: "hi", room: "" };
const who: ClientMessage = { type: "who", seq: 2, room: "" };
const frames = [...encodeClientMessage(say), ...encodeClientMessage(who)];

describe("NativeCodec", () => {
  it("decodes frames after the handshake, cut anywhere", () => {
    const stream = Uint8Array.from([...handshakeBytes(), ...frames]);
    for (let i = 0; i <= stream.length; i++) {
      const { messages, errors } = decodeAll([stream.subarray(0, i), stream.subarray(i)]);
      assert.deepEqual(errors, [], `cut at ${i}`);
      assert.deepEqual(messages, [say, who], `cut at ${i}`);
    }
  });

  it("refuses another version, fatally, and decodes nothing after it", () => {
    const stream = Uint8Array.from([...handshakeBytes(PROTOCOL_VERSION + 1), ...frames]);
    for (let i = 0; i <= stream.length; i++) {
      const { messages, errors } = decodeAll([stream.subarray(0, i), stream.subarray(i)]);
      assert.deepEqual(
        errors.map((e) => [e.code, e.fatal]),
        [[ErrorCode.UnsupportedVersion, true]],
        `cut at ${i}`,
      );
      assert.deepEqual(messages, [], `cut at ${i}`);
    }
  });

  it("refuses bytes that are not the magic, though it was chosen for them", () => {
    for (let at = 0; at < 8; at++) {
      const stream = Uint8Array.from([...handshakeBytes(), ...frames]);
      stream[at] = (stream[at] as number) ^ 0x20;
      const { messages, errors } = decodeAll([stream]);
      assert.deepEqual(
        errors.map((e) => [e.code, e.fatal]),
        [[ErrorCode.Malformed, true]],
        `byte ${at}`,
      );
      assert.deepEqual(messages, [], `byte ${at}`);
    }
  });
});
