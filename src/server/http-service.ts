// What the chat port answers over HTTP: the browser page, its WebSocket, and
// kept files. Every answer carries the page's security policy: scripts,
// styles and connections from this origin only.

import { createServer, type Server, type ServerResponse } from "node:http";
import type { Upgrade } from "../transport/websocket-upgrade.js";
import { downloadId, serveDownload } from "./file-downloads.js";
import type { FileDownload } from "./file-relay.js";
import type { PageFiles } from "./page-files.js";

export interface HttpParts {
  page: PageFiles;
  download(id: number): FileDownload | undefined;
  upgrade: Upgrade;
}

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

export function createHttpService(parts: HttpParts): Server {
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (request.method !== "GET" && request.method !== "HEAD") {
      plain(response, 405, "only GET and HEAD are served here", { Allow: "GET, HEAD" });
      return;
    }
    const path = (request.url ?? "/").split("?")[0] as string;
    if (parts.page.serve(request, response, path)) return;
    const id = downloadId(path);
    if (id !== undefined) {
      void serveDownload(request, response, id, parts.download(id));
      return;
    }
    plain(response, 404, `nothing is served at ${path}`);
  });
  server.on("upgrade", parts.upgrade);
  return server;
}

function plain(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  response.end(`${text}\n`);
}
