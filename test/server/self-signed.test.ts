// `serve --tls self-signed`: its certificate is made once, and the same one
// used from then on, so that what clients pinned stays true.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { selfSignedFiles } from "../../src/server/self-signed.js";
import { TlsCredentials } from "../../src/server/tls-credentials.js";
import { tempDir } from "../helpers/files.js";

describe("selfSignedFiles", () => {
  it("makes a key and certificate in the data directory once, then uses them", async () => {
    const dir = await tempDir("self-signed");
    const dataDir = join(dir.path, "not yet made");
    const made = await selfSignedFiles(dataDir);
    assert.equal(made.made, true);
    assert.deepEqual(made.files, {
      certFile: join(dataDir, "tls-cert.pem"),
      keyFile: join(dataDir, "tls-key.pem"),
    });
    assert.equal((await stat(made.files.keyFile)).mode & 0o077, 0, "the key is the owner's alone");
    const fingerprint = new TlsCredentials(made.files).fingerprint;

    const again = await selfSignedFiles(dataDir);
    assert.equal(again.made, false);
    assert.equal(new TlsCredentials(again.files).fingerprint, fingerprint);
    await dir.remove();
  });

  it("makes both again when one of them is missing", async () => {
    const dir = await tempDir("self-signed");
    const { files } = await selfSignedFiles(dir.path);
    const before = await readFile(files.certFile, "utf8");
    await rm(files.keyFile);
    const again = await selfSignedFiles(dir.path);
    assert.equal(again.made, true);
    assert.notEqual(await readFile(files.certFile, "utf8"), before);
    new TlsCredentials(again.files);
    await dir.remove();
  });

  it("names loopback and localhost, so that a client given it as its CA can check the name", async () => {
    const dir = await tempDir("self-signed");
    const { files } = await selfSignedFiles(dir.path);
    const certificate = new X509Certificate(await readFile(files.certFile));
    assert.ok(certificate.checkIP("127.0.0.1"));
    assert.ok(certificate.checkHost("localhost"));
    await dir.remove();
  });
});
