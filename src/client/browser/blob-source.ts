// A file the user picked, dropped or pasted, as the client core reads it: a
// slice at a time, on demand, so a file of gigabytes never sits in memory.

import type { FileSource } from "../files.js";

/** A File, or any Blob with a name; a Blob without one is called `file`. */
export function blobFileSource(blob: Blob, name = (blob as Partial<File>).name ?? ""): FileSource {
  const size = blob.size;
  return {
    name: name === "" ? "file" : name,
    size,
    read: async (offset, length) => {
      const data = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      // A File is a snapshot; one changed on disk since it was picked fails to read, or reads short.
      if (data.length !== length) throw new Error("the file changed while being sent");
      return data;
    },
    close: async () => {},
  };
}
