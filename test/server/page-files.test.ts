import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { PageFiles } from "../../src/server/page-files.js";
import { tempDir } from "../helpers/files.js";

function serving(page: PageFiles): Promise<Server> {
  const server = createServer((req, res) => {
    if (!page.serve(req, res, req.url ?? "/")) {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function get(server: Server, path: string, headers: Record<string, string> = {}) {
  const { port } = server.address() as AddressInfo;
  const req = request({ host: "127.0.0.1", port, path, headers });
  req.end();
  const [res] = await once(req, "response");
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk);
  return { status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) };
}

describe("PageFiles", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: Server;
  const script = `console.log(${JSON.stringify("x".repeat(4000))});`;

  before(async () => {
    dir = await tempDir("page");
    await mkdir(join(dir.path, "assets"));
    await writeFile(join(dir.path, "index.html"), "<!doctype html><title>sockchat</title>");
    await writeFile(join(dir.path, "assets", "app-1234.js"), script);
    server = await serving(PageFiles.load(dir.path));
  });
  after(async () => {
    server.close();
    await dir.remove();
  });

  it("serves the page at / with its type, asked again each time", async () => {
    const page = await get(server, "/");
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.headers["cache-control"], "no-cache");
    assert.equal(page.body.toString(), "<!doctype html><title>sockchat</title>");
    assert.equal((await get(server, "/index.html")).status, 404, "one name for the page");
  });

  it("serves assets gzipped to those who take it, cached for good, and 304 for a known ETag", async () => {
    const plain = await get(server, "/assets/app-1234.js");
    assert.equal(plain.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(plain.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body.toString(), script);
    const gzipped = await get(server, "/assets/app-1234.js", { "Accept-Encoding": "gzip, br" });
    assert.equal(gzipped.headers["content-encoding"], "gzip");
    assert.ok(gzipped.body.length < script.length / 10);
    assert.equal(gunzipSync(gzipped.body).toString(), script);
    const again = await get(server, "/assets/app-1234.js", {
      "If-None-Match": String(plain.headers.etag),
    });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  it("serves nothing but the built files", async () => {
    for (const path of ["/assets/", "/assets/../index.html", "/../index.html", "/assets/app.js"]) {
      assert.equal((await get(server, path)).status, 404, path);
    }
  });

  it("says how to build the page when it is not built", async () => {
    const unbuilt = await serving(PageFiles.load(join(dir.path, "missing")));
    const page = await get(unbuilt, "/");
    assert.equal(page.status, 503);
    assert.match(page.body.toString(), /npm run build/);
    unbuilt.close();
  });
});
