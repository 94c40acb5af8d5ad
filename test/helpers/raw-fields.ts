// Client frames whose string field holds arbitrary bytes, invalid UTF-8
// included, which the protocol's encoder (it takes strings) cannot produce.

import { FRAME_HEADER_BYTES } from "../../src/protocol/frame.js";
import { type ClientMessage, encodeClientMessage } from "../../src/protocol/messages.js";

/** The names of a message's free-text fields, in wire order. */
export function stringFields(message: ClientMessage): string[] {
  return Object.entries(message)
    .filter(([key, value]) => key !== "type" && typeof value === "string")
    .map(([key]) => key);
}

/** `message` encoded with `bytes` in place of the UTF-8 of its string field `field`. */
export function encodeWithFieldBytes(
  message: ClientMessage,
  field: string,
  bytes: Uint8Array,
): Uint8Array {
  if (!stringFields(message).includes(field)) {
    throw new Error(`${message.type} has no string field ${field}`);
  }
  const blank = encodeClientMessage({ ...message, [field]: "" });
  const marked = encodeClientMessage({ ...message, [field]: "x" });
  // The payloads first differ in the last byte of the field's u32 length prefix.
  let at = FRAME_HEADER_BYTES;
  while (blank[at] === marked[at]) at += 1;
  const lengthAt = at - 3;
  const frame = new Uint8Array(blank.length + bytes.length);
  const view = new DataView(frame.buffer);
  frame.set(blank.subarray(0, lengthAt));
  view.setUint32(lengthAt, bytes.length);
  frame.set(bytes, lengthAt + 4);
  frame.set(blank.subarray(lengthAt + 4), lengthAt + 4 + bytes.length);
  view.setUint32(0, frame.length - FRAME_HEADER_BYTES);
  return frame;
}
