// `serve --tls self-signed`: a key and a certificate made once and kept in the
// data directory, so that the fingerprint clients pinned on first use stays
// the same across restarts.

import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import type { TlsFiles } from "./tls-credentials.js";

/** Long, as nobody renews it: a client that pinned it trusts it for what it is, not for its dates. */
const VALID_YEARS = 20;

/** The data directory's certificate and key, made first unless both are there; `made` says if they were. */
export async function selfSignedFiles(
  dataDir: string,
): Promise<{ files: TlsFiles; made: boolean }> {
  const files = { certFile: join(dataDir, "tls-cert.pem"), keyFile: join(dataDir, "tls-key.pem") };
  if ((await exists(files.certFile)) && (await exists(files.keyFile)))
    return { files, made: false };
  const { cert, key } = await makeSelfSigned();
  await mkdir(dataDir, { recursive: true });
  // The key first: a certificate whose key is missing is made again.
  await writeWhole(files.keyFile, key, 0o600);
  await writeWhole(files.certFile, cert, 0o644);
  return { files, made: true };
}

/** A P-256 key and a certificate for it, signed by itself, for this machine's names and loopback. */
export async function makeSelfSigned(): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + VALID_YEARS);
  const pems = await generate([{ name: "commonName", value: "sockchat" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 2, value: hostname() },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Written under another name and renamed, so that a crash leaves the whole file or none. */
async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, text, { mode });
  await rename(partial, path);
}
