// The original chat's file upload, which sockchat takes from any text
// connection: a line `SEND <path>`, then the file's raw bytes, then an end
// marker. There is no length and no hash: the server finds the marker, hashes
// what came before it, and relays that like any other file. A file that holds
// the marker itself is cut there; the sender is told the size and hash that
// arrived, so a careful one can compare.

import { parseInput } from "./commands.js";

export const LEGACY_END_MARKER = new TextEncoder().encode("//AGUEL//TAMTAM//");

/**
 * The path a line starts an upload of, if it is `SEND <path>` and nothing else:
 * the word must open the line, as the original client sends it, so a line that
 * only mentions SEND stays chat.
 */
export function legacyUploadPath(line: string): string | undefined {
  if (!line.startsWith("SEND")) return undefined;
  const input = parseInput(line);
  return input.type === "send" ? input.path : undefined;
}

/** What a text connection hands the server of such an upload: not frames, a run of bytes. */
export type LegacyUpload =
  | { type: "legacy-start"; path: string }
  | { type: "legacy-data"; data: Uint8Array }
  | { type: "legacy-end" };
