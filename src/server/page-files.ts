// The browser page, as `npm run build` left it in dist/web: read once at start
// into memory (it is small), each file with its type, a strong ETag and, where
// it pays, a gzipped copy. Only these paths are ever served, so no request can
// reach a file outside them.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where the build puts the page, beside the compiled server (dist/src/server → dist/web). */
export const PAGE_DIR = fileURLToPath(new URL("../../web/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** Smaller files are sent as they are: gzip would gain less than its header costs. */
const GZIP_FROM_BYTES = 1024;

interface PageFile {
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

export class PageFiles {
  readonly #files: Map<string, PageFile>;

  private constructor(files: Map<string, PageFile>) {
    this.#files = files;
  }

  /** The page in `dir`; none (every path 404, the page 503) if it was not built. */
  static load(dir: string = PAGE_DIR): PageFiles {
    const files = new Map<string, PageFile>();
    let names: string[];
    try {
      names = readdirSync(dir, { recursive: true, encoding: "utf8" });
    } catch {
      return new PageFiles(files);
    }
    for (const name of names) {
      const path = join(dir, name);
      let body: Buffer;
      try {
        body = readFileSync(path);
      } catch {
        continue; // a directory
      }
      const urlPath = `/${relative(dir, path).split(sep).join("/")}`;
      files.set(urlPath === "/index.html" ? "/" : urlPath, pageFile(urlPath, body));
    }
    return new PageFiles(files);
  }

  get built(): boolean {
    return this.#files.has("/");
  }

  /** Serves `path` if it is one of the page's files; false if not. */
  serve(request: IncomingMessage, response: ServerResponse, path: string): boolean {
    const file = this.#files.get(path);
    if (file === undefined) {
      if (path !== "/") return false;
      response.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" });
      response.end("the page is not built: run npm run build\n");
      return true;
    }
    const headers: Record<string, string | number> = {
      "Content-Type": file.type,
      ETag: file.etag,
      "Cache-Control": file.cacheControl,
      Vary: "Accept-Encoding",
    };
    if (request.headers["if-none-match"] === file.etag) {
      response.writeHead(304, headers);
      response.end();
      return true;
    }
    const gzip =
      file.gzipped !== undefined && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "");
    const body = gzip ? (file.gzipped as Buffer) : file.body;
    if (gzip) headers["Content-Encoding"] = "gzip";
    headers["Content-Length"] = body.length;
    response.writeHead(200, headers);
    response.end(request.method === "HEAD" ? undefined : body);
    return true;
  }
}

function pageFile(urlPath: string, body: Buffer): PageFile {
  const type = TYPES[extname(urlPath)] ?? "application/octet-stream";
  const compressible =
    type.startsWith("text/") || type.startsWith("application/json") || type === "image/svg+xml";
  return {
    body,
    gzipped: compressible && body.length >= GZIP_FROM_BYTES ? gzipSync(body) : undefined,
    type,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    // Assets are named after their content, so a new build is a new name; the page itself is asked again.
    cacheControl: urlPath.startsWith("/assets/")
      ? "public, max-age=31536000, immutable"
      : "no-cache",
  };
}
