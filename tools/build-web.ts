// Builds the browser page: src/web bundled and minified by esbuild into
// dist/web/assets/ under content-hashed names (served as immutable), and
// dist/web/index.html loading them with no inline script or style, as the
// server's Content-Security-Policy (default-src 'self') requires. Prints the
// gzipped size of the JS and CSS against the 100 KB budget.
//
// The page is written in JSX, compiled by esbuild's automatic runtime for
// Preact, rather than with htm: tsc type-checks the templates as it does the
// rest of the code (tsconfig.web.json), and no template parser is shipped to
// the browser or run on each render.

import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** JS plus CSS, gzipped, that the page should stay within. */
const BUDGET_BYTES = 100 * 1000;

// Compiled to dist/tools/, two levels below the package root.
const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, "dist", "web");
const assets = join(out, "assets");

async function main(): Promise<void> {
  const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
    version: string;
  };
  // Old hashed files would be served for ever otherwise.
  await rm(out, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: "src/web/main.tsx" },
    outdir: assets,
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome111", "firefox113", "safari16.4"],
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: "tsconfig.web.json",
    define: { SOCKCHAT_VERSION: JSON.stringify(manifest.version) },
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const entry = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint === "src/web/main.tsx",
  );
  if (entry === undefined) throw new Error("esbuild wrote no bundle for src/web/main.tsx");
  const [script, { cssBundle }] = entry;
  const files = [script, ...(cssBundle === undefined ? [] : [cssBundle])].map((path) =>
    join(root, path),
  );
  const href = (path: string) => `/assets/${basename(path)}`;
  const [js, css] = files;
  await writeFile(join(out, "index.html"), indexHtml(href(js as string), css && href(css)));

  let total = 0;
  const parts: string[] = [];
  for (const file of files) {
    const data = await readFile(file);
    const gzipped = gzipSync(data, { level: 9 }).length;
    total += gzipped;
    parts.push(`${basename(file)} ${kb(data.length)} (${kb(gzipped)} gzipped)`);
  }
  const html = (await stat(join(out, "index.html"))).size;
  const verdict = total <= BUDGET_BYTES ? "within" : "OVER";
  console.log(`web page: dist/web/index.html (${html} B), ${parts.join(", ")}`);
  console.log(`web page: JS + CSS ${kb(total)} gzipped, ${verdict} the ${kb(BUDGET_BYTES)} budget`);
}

function indexHtml(script: string, stylesheet: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>sockchat</title>
<link rel="icon" href="data:,">
${stylesheet === undefined ? "" : `<link rel="stylesheet" href="${stylesheet}">\n`}<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><noscript>sockchat's page needs JavaScript; <code>nc</code> or <code>npx sockchat connect</code> need none.</noscript></div>
</body>
</html>
`;
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

main().catch((error: unknown) => {
  console.error(`build-web: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
