// Makes an offered file name safe to save anywhere: the name is the sender's
// word, so nothing in it may pick a directory, hide the file or drive a terminal.

/** Bytes of UTF-8 a saved name keeps at most, room left for "terima_" and " (12)". */
export const MAX_FILE_NAME_BYTES = 200;
const MAX_EXTENSION_CHARS = 16;
const FALLBACK = "file";

const utf8 = new TextEncoder();

export function safeFileName(offered: string): string {
  const base = offered.split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}<>:"|?*]/gu, "_")
    .replace(/^[\s.]+/u, "")
    .replace(/[\s.]+$/u, "");
  const bounded = truncate(cleaned).replace(/[\s.]+$/u, "");
  return bounded === "" ? FALLBACK : bounded;
}

function truncate(name: string): string {
  if (utf8.encode(name).length <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_CHARS ? name.slice(dot) : "";
  const budget = MAX_FILE_NAME_BYTES - utf8.encode(extension).length;
  let stem = "";
  let bytes = 0;
  for (const char of name.slice(0, name.length - extension.length)) {
    bytes += utf8.encode(char).length;
    if (bytes > budget) break;
    stem += char;
  }
  return stem + extension;
}
