// How times, sizes and rates read on the page.

import { formatBytes } from "../../protocol/render.js";

export { formatBytes };

/** Local time of day: `14:03`. */
export function clockTime(ts: number): string {
  const at = new Date(ts);
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** A SHA-256 digest as lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Where the server serves shared file `id` for download. */
export function fileUrl(id: number, name: string): string {
  return `/files/${id}/${encodeURIComponent(name)}`;
}
