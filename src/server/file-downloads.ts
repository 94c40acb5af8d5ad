// Kept files over HTTP, for the browser: `GET /files/<id>[/<name>]` streams
// the spooled file, a block at a time as the socket takes it, so a file of any
// size holds one block of memory per download; a `Range` resumes one that was
// cut off. The SHA-256 the relay verified is the ETag and the Repr-Digest.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { create as contentDisposition } from "content-disposition";
import parseRange from "range-parser";
import type { FileDownload } from "./file-relay.js";

/** Read from the spool per step: as a receiver's pump reads it. */
const BLOCK_BYTES = 256 * 1024;

const FILE_PATH = /^\/files\/(\d{1,15})(?:\/[^/]*)?$/;

/** The file id a path asks for, if it is a download's path. */
export function downloadId(path: string): number | undefined {
  const match = FILE_PATH.exec(path);
  return match === null ? undefined : Number(match[1]);
}

/** Answers a download request for `file` (undefined: no such file). */
export async function serveDownload(
  request: IncomingMessage,
  response: ServerResponse,
  id: number,
  file: FileDownload | undefined,
): Promise<void> {
  if (file === undefined) {
    response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    response.end(`no file ${id} is kept here\n`);
    return;
  }
  const etag = `"${Buffer.from(file.sha256).toString("hex")}"`;
  const span = requestedSpan(request, file.size, etag);
  const headers: Record<string, string | number> = {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": contentDisposition(file.name),
    "Accept-Ranges": "bytes",
    ETag: etag,
    "Repr-Digest": `sha-256=:${Buffer.from(file.sha256).toString("base64")}:`,
    "Cache-Control": "private, no-cache",
  };
  if (span === "unsatisfiable") {
    response.writeHead(416, { ...headers, "Content-Range": `bytes */${file.size}` });
    response.end();
    return;
  }
  const { start, end } = span ?? { start: 0, end: file.size - 1 };
  headers["Content-Length"] = end - start + 1;
  if (span !== undefined) headers["Content-Range"] = `bytes ${start}-${end}/${file.size}`;
  response.writeHead(span === undefined ? 200 : 206, headers);
  if (request.method === "HEAD" || end < start) {
    response.end();
    return;
  }
  // A client that goes away mid-file ends the pipeline with an error: nothing more to do.
  // One block read ahead at most: what the socket has not taken is not read yet.
  const body = Readable.from(blocks(file, start, end + 1), { highWaterMark: 1 });
  await pipeline(body, response).catch(() => undefined);
}

/** The one range asked for; undefined for the whole file (no Range, a stale If-Range, several ranges). */
function requestedSpan(
  request: IncomingMessage,
  size: number,
  etag: string,
): { start: number; end: number } | "unsatisfiable" | undefined {
  const header = request.headers.range;
  if (header === undefined) return undefined;
  const ifRange = request.headers["if-range"];
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) return "unsatisfiable";
  // Malformed, of another unit, or several: the whole file is a valid answer to each.
  if (ranges === -2 || ranges.type !== "bytes" || ranges.length !== 1) return undefined;
  return ranges[0];
}

async function* blocks(file: FileDownload, from: number, to: number): AsyncGenerator<Uint8Array> {
  for (let offset = from; offset < to; offset += BLOCK_BYTES) {
    yield await file.read(offset, Math.min(BLOCK_BYTES, to - offset));
  }
}
