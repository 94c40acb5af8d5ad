// The binary framed protocol: handshake check, then frames to typed messages.

import { unfilledBytes } from "../node/unfilled-bytes.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { HANDSHAKE_BYTES, handshakeBytes, PROTOCOL_VERSION } from "../protocol/frame.js";
import { FrameDecoder } from "../protocol/frame-decoder.js";
import { decodeClientMessage, encodeServerMessage } from "../protocol/messages.js";
import type { Codec, Confirmable } from "./codec.js";
import { memoizeEncoding } from "./codec.js";
import type { ConnectionHandler } from "./connection.js";

const encodeNative = memoizeEncoding(encodeServerMessage);

export class NativeCodec implements Codec {
  readonly framed = true;
  readonly encode = encodeNative;
  readonly #frames = new FrameDecoder({ allocate: unfilledBytes });
  #handshakeSeen = 0;
  #failed = false;

  /** Native clients number what they wait for: the ack names it; 0 was awaited by nobody. */
  confirm(request: Confirmable): Uint8Array | undefined {
    return request.seq === 0 ? undefined : encodeServerMessage({ type: "ack", seq: request.seq });
  }

  open(): Uint8Array {
    return handshakeBytes();
  }

  decode(chunk: Uint8Array, handler: ConnectionHandler): void {
    if (this.#failed) return;
    let bytes = chunk;
    if (this.#handshakeSeen < HANDSHAKE_BYTES) {
      const take = Math.min(HANDSHAKE_BYTES - this.#handshakeSeen, bytes.length);
      this.#handshakeSeen += take;
      // The magic was matched by sniffing; only the version byte is left to check.
      if (this.#handshakeSeen === HANDSHAKE_BYTES) {
        const version = bytes[take - 1];
        if (version !== PROTOCOL_VERSION) {
          this.#failed = true;
          handler.invalid(
            new ProtocolError(
              ErrorCode.UnsupportedVersion,
              `protocol version ${version} is not supported; this server speaks ${PROTOCOL_VERSION}`,
              { fatal: true },
            ),
          );
          return;
        }
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
        handler.message(message);
      });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#failed = true;
      handler.invalid(error);
    }
  }
}

function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  return new ProtocolError(ErrorCode.Malformed, "could not decode frame", { cause: error });
}
