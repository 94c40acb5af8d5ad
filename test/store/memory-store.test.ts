import { MemoryStore } from "../../src/store/memory-store.js";
import { storeSuite } from "./store-suite.js";

storeSuite("MemoryStore", async () => {
  const store = new MemoryStore();
  return { store, remove: async () => store.close() };
});
