// HTTP on the chat port: a browser's request for the page, its WebSocket
// upgrade, a file download. Recognised by a complete request line, so that a
// person at netcat whose first line merely starts with "GET" chats as usual;
// only a line of exactly the request's shape ("GET /path HTTP/1.1") is taken
// for HTTP, and that one ambiguity is documented.

import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import type { HandOffKind, Recognition } from "./codec-registry.js";

/** The methods a browser's page, WebSocket and downloads use; anything else is chat. */
const METHODS = ["GET ", "HEAD "];
/** A request line longer than this is no browser's: the bytes are chat (or garbage) instead. */
const MAX_REQUEST_LINE_BYTES = 8192;
const LF = 0x0a;
const REQUEST_LINE = /^(GET|HEAD) \/\S* HTTP\/1\.[01]\r?$/;
const latin1 = new TextDecoder("latin1");

export function recogniseHttp(firstBytes: Uint8Array): Recognition {
  const prefix = String.fromCharCode(...firstBytes.subarray(0, 5));
  if (!METHODS.some((method) => method.startsWith(prefix) || prefix.startsWith(method))) {
    return "not mine";
  }
  const newline = firstBytes.indexOf(LF);
  // However the bytes were cut into reads: a line is too long whether or not its end came.
  if (newline < 0) return firstBytes.length > MAX_REQUEST_LINE_BYTES ? "not mine" : "need more";
  if (newline > MAX_REQUEST_LINE_BYTES) return "not mine";
  const line = latin1.decode(firstBytes.subarray(0, newline));
  return REQUEST_LINE.test(line) ? "mine" : "not mine";
}

/** Hands HTTP connections to `server`, which parses them from their first byte. */
export function httpKind(server: Server): HandOffKind {
  return {
    recognise: recogniseHttp,
    take(stream: Duplex, firstBytes: Uint8Array): void {
      stream.unshift(Buffer.from(firstBytes.buffer, firstBytes.byteOffset, firstBytes.byteLength));
      server.emit("connection", stream);
      // Node's HTTP server reads a socket handed to it only once it is resumed.
      stream.resume();
    },
  };
}
