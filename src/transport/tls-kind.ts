// TLS on the chat port. A ClientHello starts with a handshake record (0x16) of
// TLS's major version (3), which no text client sends first and neither the
// native magic nor an HTTP request starts with. Its stream, the bytes seen
// included, goes to a server TLS socket; once the handshake is done the
// decrypted stream is a new connection of its own, classified afresh.

import type { Duplex } from "node:stream";
import { type SecureContext, TLSSocket } from "node:tls";
import type { HandOffKind, Recognition } from "./codec-registry.js";

const HANDSHAKE_RECORD = 0x16;
const MAJOR_VERSION = 0x03;

export function recogniseTls(firstBytes: Uint8Array): Recognition {
  if (firstBytes[0] !== HANDSHAKE_RECORD) return "not mine";
  if (firstBytes.length < 2) return "need more";
  return firstBytes[1] === MAJOR_VERSION ? "mine" : "not mine";
}

export interface TlsOptions {
  /** Asked at each handshake, so that a reloaded certificate serves the next connection. */
  secureContext(): SecureContext;
  /** A handshake not done by then is dropped: a peer that stalls in it holds nothing for long. */
  handshakeTimeoutMs: number;
}

/** Takes ClientHellos over, and hands each decrypted stream to `secured` once its handshake is done. */
export class TlsHandOff implements HandOffKind {
  readonly recognise = recogniseTls;
  readonly #options: TlsOptions;
  readonly #secured: (socket: TLSSocket) => void;
  /** No session knows of a connection still in its handshake: whoever stops the server ends these. */
  readonly #handshaking = new Set<TLSSocket>();

  constructor(options: TlsOptions, secured: (socket: TLSSocket) => void) {
    this.#options = options;
    this.#secured = secured;
  }

  take(stream: Duplex, firstBytes: Uint8Array): void {
    // The TLS socket reads what is buffered on the stream before anything new.
    stream.unshift(Buffer.from(firstBytes.buffer, firstBytes.byteOffset, firstBytes.byteLength));
    const socket = new TLSSocket(stream, {
      isServer: true,
      secureContext: this.#options.secureContext(),
    });
    this.#handshaking.add(socket);
    const deadline = setTimeout(() => socket.destroy(), this.#options.handshakeTimeoutMs);
    // A peer that breaks off or garbles its handshake is no concern of anyone's: it just goes.
    const failed = () => socket.destroy();
    socket.on("error", failed);
    socket.once("close", () => {
      clearTimeout(deadline);
      this.#handshaking.delete(socket);
    });
    socket.once("secure", () => {
      clearTimeout(deadline);
      this.#handshaking.delete(socket);
      socket.off("error", failed);
      this.#secured(socket);
    });
  }

  /** Drops every connection still in its handshake. */
  dropHandshakes(): void {
    for (const socket of this.#handshaking) socket.destroy();
  }
}

/** A port without TLS closes a ClientHello: a TLS client cannot read a word of plaintext, and its hello is no chat. */
export const tlsUnavailable: HandOffKind = {
  recognise: recogniseTls,
  take: (stream) => stream.destroy(),
};
