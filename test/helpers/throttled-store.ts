// A file store that writes no faster than a given rate, as a receiver on a
// slow disk or link would; it returns the window no faster either.

import type { FileStore } from "../../src/client/files.js";

export function throttledStore(store: FileStore, bytesPerSecond: number): FileStore {
  /** Writes wait their turn on a clock that advances by bytes / rate. */
  let nextFreeAt = Date.now();
  let turn: Promise<void> = Promise.resolve();
  return {
    claimPartial: (id) => store.claimPartial(id),
    open: async (file, offset, hasher) => {
      const sink = await store.open(file, offset, hasher);
      return {
        ...sink,
        // Chained, so writes reach the sink in call order as the FileSink contract requires.
        write: (data) => {
          turn = turn.then(async () => {
            nextFreeAt = Math.max(nextFreeAt, Date.now()) + (data.length / bytesPerSecond) * 1000;
            await new Promise((resolve) => setTimeout(resolve, nextFreeAt - Date.now()));
            await sink.write(data);
          });
          return turn;
        },
      };
    },
  };
}
