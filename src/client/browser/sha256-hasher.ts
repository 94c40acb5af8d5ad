// SHA-256 for the browser, incremental: WebCrypto digests only whole buffers,
// and a file being sent is hashed a chunk at a time as it goes.

import { sha256 } from "@noble/hashes/sha2.js";
import type { FileSupport, Hasher } from "../files.js";

export function sha256Hasher(): Hasher {
  const hash = sha256.create();
  return {
    update: (data) => {
      hash.update(data);
    },
    digest: () => hash.digest(),
  };
}

/**
 * Files in a browser: hashed as they are sent, and received by download over
 * HTTP, so the server pushes the page none (see FileSupport.fetchedElsewhere).
 */
export function browserFileSupport(): FileSupport {
  return { hasher: sha256Hasher, fetchedElsewhere: true };
}
