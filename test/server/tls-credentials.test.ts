// The certificate and key TLS is spoken with: read from their files, read
// again on reload, and kept as they were when what replaced them is unusable.

import assert from "node:assert/strict";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TlsCredentials, TlsCredentialsError } from "../../src/server/tls-credentials.js";
import { type CertificateFiles, certificateFiles } from "../helpers/certificates.js";
import { tempDir } from "../helpers/files.js";

describe("TlsCredentials", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let first: CertificateFiles;
  let second: CertificateFiles;
  before(async () => {
    dir = await tempDir("tls-credentials");
    first = await certificateFiles(dir.path, "first");
    second = await certificateFiles(dir.path, "second");
  });
  after(() => dir.remove());

  /** Files a test may overwrite, holding `first` to begin with. */
  async function served(name: string) {
    const files = {
      certFile: join(dir.path, `${name}.crt`),
      keyFile: join(dir.path, `${name}.key`),
    };
    await copyFile(first.certFile, files.certFile);
    await copyFile(first.keyFile, files.keyFile);
    return files;
  }

  it("reads the certificate's SHA-256 fingerprint, as clients see it", async () => {
    const credentials = new TlsCredentials(await served("reads"));
    assert.equal(credentials.fingerprint, first.fingerprint);
    assert.match(credentials.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("serves the replaced files once reloaded", async () => {
    const files = await served("reloads");
    const credentials = new TlsCredentials(files);
    const before = credentials.secureContext;
    await copyFile(second.certFile, files.certFile);
    await copyFile(second.keyFile, files.keyFile);
    assert.equal(credentials.reload(), second.fingerprint);
    assert.equal(credentials.fingerprint, second.fingerprint);
    assert.notEqual(credentials.secureContext, before);
  });

  it("keeps what it had when the new files cannot be used, saying why", async () => {
    const files = await served("keeps");
    const credentials = new TlsCredentials(files);
    const before = credentials.secureContext;
    // A new certificate beside the old key: the pair does not match.
    await copyFile(second.certFile, files.certFile);
    assert.throws(
      () => credentials.reload(),
      (error: Error) =>
        error instanceof TlsCredentialsError &&
        error.message.startsWith(`cannot use the key in ${files.keyFile} with the certificate in`),
    );
    await writeFile(files.certFile, "not a certificate\n");
    assert.throws(() => credentials.reload(), {
      name: "TlsCredentialsError",
      message: `${files.certFile} holds no PEM certificate`,
    });
    assert.equal(credentials.fingerprint, first.fingerprint);
    assert.equal(credentials.secureContext, before);
  });

  it("refuses files it cannot read, naming them", () => {
    const missing = join(dir.path, "missing.pem");
    assert.throws(() => new TlsCredentials({ certFile: missing, keyFile: first.keyFile }), {
      name: "TlsCredentialsError",
      message: `cannot read ${missing}: ENOENT`,
    });
  });
});
