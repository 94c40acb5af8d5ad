// Wire constants shared by every native-protocol peer; see docs/protocol.md.

/** "\x89SCHAT\r\n": the high first byte is invalid UTF-8, so no text client sends it. */
export const MAGIC = Uint8Array.of(0x89, 0x53, 0x43, 0x48, 0x41, 0x54, 0x0d, 0x0a);
/** 2: rooms and history (docs/protocol.md §12 says what a version 1 peer gets). */
export const PROTOCOL_VERSION = 2;
/** The oldest version still spoken: a version 1 client is served as one. */
export const OLDEST_PROTOCOL_VERSION = 1;

export function versionSpoken(version: number | undefined): boolean {
  return version !== undefined && version >= OLDEST_PROTOCOL_VERSION && version <= PROTOCOL_VERSION;
}
/**
 * Magic followed by one version byte: the client's first bytes, and the first
 * native bytes from the server (text lines may precede them; see docs/protocol.md).
 */
export const HANDSHAKE_BYTES = MAGIC.length + 1;

/** u32 big-endian payload length, then a u8 frame type. */
export const FRAME_HEADER_BYTES = 5;
/** Hard ceiling for any frame; larger announcements are rejected before buffering. */
export const MAX_FRAME_PAYLOAD = 1024 * 1024;

export const FrameType = {
  Hello: 0x01,
  Say: 0x02,
  Action: 0x03,
  Private: 0x04,
  Nick: 0x05,
  Who: 0x06,
  Help: 0x07,
  Quit: 0x08,
  Join: 0x09,
  Part: 0x0a,
  Rooms: 0x0b,
  Topic: 0x0c,
  History: 0x0d,
  Ping: 0x10,
  Pong: 0x11,
  FileOffer: 0x20,
  FileChunk: 0x21,
  FileEnd: 0x22,
  FileCancel: 0x23,
  FileWindow: 0x24,
  FileGet: 0x25,
  FileReceived: 0x26,
  Files: 0x27,
  Welcome: 0x41,
  Message: 0x42,
  Joined: 0x43,
  Left: 0x44,
  Renamed: 0x45,
  Ack: 0x46,
  Error: 0x47,
  WhoList: 0x48,
  Notice: 0x49,
  Bye: 0x4a,
  FileAccepted: 0x50,
  FileOffered: 0x51,
  ServerFileChunk: 0x52,
  ServerFileEnd: 0x53,
  ServerFileWindow: 0x54,
  FileCancelled: 0x55,
  FileVerified: 0x56,
  FileComplete: 0x57,
  FileList: 0x58,
  Room: 0x59,
  TopicIs: 0x5a,
  RoomList: 0x5b,
  HistoryEnd: 0x5c,
} as const;

export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Largest file data in one chunk frame: a chat frame never waits behind more than this. */
export const FILE_CHUNK_BYTES = 256 * 1024;
/**
 * File bytes a sender may send ahead of the server's window updates, per
 * upload: the server holds up to this much of each upload until it is spooled.
 */
export const UPLOAD_WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * File bytes the server may send a receiver ahead of its window updates, per
 * download. It costs the server no memory (it sends from the spool as the
 * connection has room), and the receiver holds at most this much waiting for
 * its disk. Deeper than the upload window because a window caps a transfer at
 * window ÷ round trip (16 MiB over 100 ms: 168 MB/s), and because it keeps a
 * receiver's socket full across the scheduling gaps of a busy machine.
 */
export const DOWNLOAD_WINDOW_BYTES = 16 * 1024 * 1024;
export const SHA256_BYTES = 32;
/**
 * Uploads one client may have under way at once, offers not yet answered
 * included (each holds a window of the server's memory). The server refuses an
 * offer beyond it; the bundled client queues it until one is through.
 */
export const MAX_UPLOADS_PER_CLIENT = 8;

export interface Frame {
  readonly type: number;
  readonly payload: Uint8Array;
}

export function handshakeBytes(version: number = PROTOCOL_VERSION): Uint8Array {
  const bytes = new Uint8Array(HANDSHAKE_BYTES);
  bytes.set(MAGIC);
  bytes[MAGIC.length] = version;
  return bytes;
}

export type Sniffed = "native" | "text" | "undecided";

/** Classifies a connection by its first bytes: the magic means native, anything else text. */
export function sniff(firstBytes: Uint8Array): Sniffed {
  const n = Math.min(firstBytes.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (firstBytes[i] !== MAGIC[i]) return "text";
  }
  return firstBytes.length >= HANDSHAKE_BYTES ? "native" : "undecided";
}
