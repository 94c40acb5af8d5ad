// The certificate and key the chat port speaks TLS with, read from PEM files,
// and read again when asked (on SIGHUP): new ones serve the next connection,
// and ones that cannot be used leave the old in place.

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContext } from "node:tls";

export interface TlsFiles {
  /** The certificate, followed by any intermediate ones, in PEM. */
  certFile: string;
  keyFile: string;
}

/** Why a certificate or key cannot be used, naming its file. */
export class TlsCredentialsError extends Error {
  override readonly name = "TlsCredentialsError";
}

interface Credentials {
  context: SecureContext;
  /** The certificate's SHA-256, as `AB:CD:…`, which clients that pin it compare. */
  fingerprint: string;
}

export class TlsCredentials {
  readonly #files: TlsFiles;
  #current: Credentials;

  /** Throws a TlsCredentialsError when the files cannot be used. */
  constructor(files: TlsFiles) {
    this.#files = files;
    this.#current = readCredentials(files);
  }

  get secureContext(): SecureContext {
    return this.#current.context;
  }

  get fingerprint(): string {
    return this.#current.fingerprint;
  }

  /** Reads the files again and returns the new fingerprint; throws a TlsCredentialsError, keeping the old ones, if they cannot be used. */
  reload(): string {
    this.#current = readCredentials(this.#files);
    return this.#current.fingerprint;
  }
}

function readCredentials({ certFile, keyFile }: TlsFiles): Credentials {
  const cert = readPem(certFile);
  const key = readPem(keyFile);
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(cert).fingerprint256;
  } catch (cause) {
    throw new TlsCredentialsError(`${certFile} holds no PEM certificate`, { cause });
  }
  try {
    return { context: createSecureContext({ cert, key }), fingerprint };
  } catch (cause) {
    throw new TlsCredentialsError(
      `cannot use the key in ${keyFile} with the certificate in ${certFile}: ${opensslReason(cause)}`,
      { cause },
    );
  }
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new TlsCredentialsError(`cannot read ${file}: ${code ?? cause}`, { cause });
  }
}

/** OpenSSL's words for what went wrong ("key values mismatch"), without its error-stack prefix. */
function opensslReason(error: unknown): string {
  const { reason, message } = error as { reason?: string; message?: string };
  return reason ?? message ?? String(error);
}
