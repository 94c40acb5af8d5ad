import { readFileSync } from "node:fs";

// Compiled to dist/src/cli/, three levels below the package root.
const manifest = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

export const VERSION = manifest.version;
