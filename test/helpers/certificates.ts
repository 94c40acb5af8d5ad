// Certificates for TLS tests: self-signed ones, made as `serve --tls
// self-signed` makes its own, written where a server can be pointed at them.

import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeSelfSigned } from "../../src/server/self-signed.js";

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  /** The certificate in PEM, to trust it as a CA. */
  cert: string;
  key: string;
  /** SHA-256, as `AB:CD:…`. */
  fingerprint: string;
}

/** A new self-signed certificate and its key, as `<dir>/<name>-cert.pem` and `<dir>/<name>-key.pem`. */
export async function certificateFiles(dir: string, name: string): Promise<CertificateFiles> {
  const { cert, key } = await makeSelfSigned();
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  await writeFile(certFile, cert);
  await writeFile(keyFile, key);
  return { certFile, keyFile, cert, key, fingerprint: new X509Certificate(cert).fingerprint256 };
}
