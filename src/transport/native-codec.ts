// The binary framed protocol: the handshake checked byte by byte, then frames
// to typed messages.

import { unfilledBytes } from "../node/unfilled-bytes.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import {
  HANDSHAKE_BYTES,
  handshakeBytes,
  MAGIC,
  MAX_FRAME_PAYLOAD,
  PROTOCOL_VERSION,
  type Sniffed,
  sniff,
  versionSpoken,
} from "../protocol/frame.js";
import { FrameDecoder } from "../protocol/frame-decoder.js";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeServerMessage,
} from "../protocol/messages.js";
import type { Codec, Confirmable } from "./codec.js";
import { memoizeEncoding } from "./codec.js";
import type { CodecKind, Recognition } from "./codec-registry.js";
import type { Capabilities, ConnectionHandler } from "./connection.js";

const encodeNative = memoizeEncoding(encodeServerMessage);

const NATIVE_CAPABILITIES: Capabilities = { heartbeat: true, files: true, numberedRequests: true };
/** A hello (nickname, client name, a few numbers) and a ping or two fit many times over. */
const BEFORE_HELLO_MAX_PAYLOAD = 4096;

/** Claimed once the magic and a version byte are in; a wrong version is the codec's to refuse. */
const RECOGNITION: Record<Sniffed, Recognition> = {
  native: "mine",
  text: "not mine",
  undecided: "need more",
};

export const nativeCodecKind: CodecKind = {
  recognise: (firstBytes) => RECOGNITION[sniff(firstBytes)],
  create: () => new NativeCodec(),
};

/** The version a server answers a client's handshake with: the client's, if spoken here; else the newest. */
export function versionAnswered(firstBytes: Uint8Array): number {
  const asked = firstBytes[MAGIC.length];
  return versionSpoken(asked) ? (asked as number) : PROTOCOL_VERSION;
}

export class NativeCodec implements Codec {
  readonly capabilities: Capabilities;
  readonly encode = encodeNative;
  /** Until its hello, a peer is nobody: it may make the server hold no more than a hello's worth. */
  readonly #frames = new FrameDecoder({
    allocate: unfilledBytes,
    maxPayload: BEFORE_HELLO_MAX_PAYLOAD,
  });
  #handshakeSeen = 0;
  #failed = false;
  /** The version the client asked for, which this connection speaks. */
  #version = PROTOCOL_VERSION;

  /** A kind of peer that cannot do all a TCP client can (a browser takes no file data) says so. */
  constructor(capabilities: Capabilities = NATIVE_CAPABILITIES) {
    this.capabilities = capabilities;
  }

  /** Native clients number what they wait for: the ack names it; 0 was awaited by nobody. */
  confirm(request: Confirmable): Uint8Array | undefined {
    return request.seq === 0 ? undefined : encodeServerMessage({ type: "ack", seq: request.seq });
  }

  get unfinished(): boolean {
    const handshaking = this.#handshakeSeen > 0 && this.#handshakeSeen < HANDSHAKE_BYTES;
    return handshaking || this.#frames.bufferedBytes > 0;
  }

  /** Answers with the client's version when it is one this server speaks. */
  open(_handler: ConnectionHandler, firstBytes: Uint8Array): Uint8Array {
    this.#version = versionAnswered(firstBytes);
    return handshakeBytes(this.#version);
  }

  decode(chunk: Uint8Array, handler: ConnectionHandler): void {
    if (this.#failed) return;
    let bytes = chunk;
    if (this.#handshakeSeen < HANDSHAKE_BYTES) {
      const take = Math.min(HANDSHAKE_BYTES - this.#handshakeSeen, bytes.length);
      const problem = this.#checkHandshake(bytes.subarray(0, take));
      if (problem !== undefined) {
        this.#failed = true;
        handler.invalid(problem);
        return;
      }
      bytes = bytes.subarray(take);
    }
    try {
      this.#frames.push(bytes, (frame) => {
        let message: ReturnType<typeof decodeClientMessage>;
        try {
          message = decodeClientMessage(frame);
        } catch (error) {
          handler.invalid(asProtocolError(error));
          return;
        }
        if (message.type === "hello") this.#frames.maxPayload = MAX_FRAME_PAYLOAD;
        handler.message(this.#upgraded(message));
      });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#failed = true;
      handler.invalid(error);
    }
  }

  #upgraded(message: ClientMessage): ClientMessage {
    return this.#version === 1 ? upgradedHello(message) : message;
  }

  /** The next bytes of the handshake; whoever chose this codec may have looked at them, or not. */
  #checkHandshake(bytes: Uint8Array): ProtocolError | undefined {
    for (const byte of bytes) {
      const at = this.#handshakeSeen++;
      if (at < MAGIC.length && byte !== MAGIC[at]) {
        return new ProtocolError(
          ErrorCode.Malformed,
          "this is not the sockchat handshake; use the sockchat client, or a text client such as nc",
          { fatal: true },
        );
      }
      if (at === MAGIC.length && !versionSpoken(byte)) {
        return new ProtocolError(
          ErrorCode.UnsupportedVersion,
          `protocol version ${byte} is not supported; this server speaks 1 to ${PROTOCOL_VERSION}`,
          { fatal: true },
        );
      }
    }
    return undefined;
  }
}

/** A version 1 client knows nothing of history, and would show replayed lines as new ones. */
function upgradedHello(message: ClientMessage): ClientMessage {
  return message.type === "hello" && message.history === undefined
    ? { ...message, history: 0 }
    : message;
}

function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  return new ProtocolError(ErrorCode.Malformed, "could not decode frame", { cause: error });
}
