// known_hosts: the certificates pinned on first use, one `host:port
// fingerprint` a line, found as ssh finds its own.

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  changedCertificateWarning,
  checkPin,
  KnownHosts,
  knownHostsFile,
  parseKnownHosts,
} from "../../../src/client/node/known-hosts.js";
import { tempDir } from "../../helpers/files.js";

const A = "AA:11";
const B = "BB:22";

describe("known_hosts", () => {
  it("lives under XDG_CONFIG_HOME, else ~/.config; a relative XDG_CONFIG_HOME is ignored", () => {
    assert.equal(
      knownHostsFile({ XDG_CONFIG_HOME: "/conf" }),
      join("/conf", "sockchat", "known_hosts"),
    );
    const inHome = join(homedir(), ".config", "sockchat", "known_hosts");
    assert.equal(knownHostsFile({}), inHome);
    assert.equal(knownHostsFile({ XDG_CONFIG_HOME: "" }), inHome);
    assert.equal(knownHostsFile({ XDG_CONFIG_HOME: "conf" }), inHome);
  });

  it("reads a pin a line, with its line number, past comments, blanks and lines of another shape", () => {
    const text = `# pinned by sockchat\n\nchat.example.org:8081 ${A}\n  [::1]:9000\t${B}  \nnonsense\na b c\n`;
    assert.deepEqual(parseKnownHosts(text), [
      { server: "chat.example.org:8081", fingerprint: A, line: 3 },
      { server: "[::1]:9000", fingerprint: B, line: 4 },
    ]);
  });

  it("tells a new server, a pinned certificate, and a changed one (naming the pin)", () => {
    const pins = parseKnownHosts(`one:1 ${A}\ntwo:2 ${A}\ntwo:2 ${B}\n`);
    assert.deepEqual(checkPin(pins, "three:3", A), { verdict: "new" });
    assert.deepEqual(checkPin(pins, "one:1", A.toLowerCase()), { verdict: "pinned" });
    assert.deepEqual(checkPin(pins, "two:2", B), { verdict: "pinned" }, "any of its pins will do");
    assert.deepEqual(checkPin(pins, "one:1", B), {
      verdict: "changed",
      pin: { server: "one:1", fingerprint: A, line: 1 },
    });
    assert.deepEqual(
      checkPin(pins, "one:2", A),
      { verdict: "new" },
      "another port is another server",
    );
  });

  it("pins in a file made with its directory, appending a line of its own", async () => {
    const dir = await tempDir("known-hosts");
    const file = join(dir.path, "sockchat", "known_hosts");
    const known = new KnownHosts(file);
    assert.deepEqual(await known.check("one:1", A), { verdict: "new" });
    await known.pin("one:1", A);
    assert.deepEqual(await known.check("one:1", A), { verdict: "pinned" });
    // A line someone added by hand without its newline is left whole.
    await writeFile(file, `${await readFile(file, "utf8")}# by hand`);
    await known.pin("two:2", B);
    assert.equal(await readFile(file, "utf8"), `one:1 ${A}\n# by hand\ntwo:2 ${B}\n`);
    await dir.remove();
  });

  it("refuses a changed certificate loudly, naming both fingerprints and the line to remove", () => {
    const warning = changedCertificateWarning(
      "one:1",
      { server: "one:1", fingerprint: A, line: 7 },
      B,
      "/home/u/.config/sockchat/known_hosts",
    );
    assert.match(warning, /WARNING: THE CERTIFICATE OF one:1 HAS CHANGED!/);
    assert.match(warning, /pinned: +SHA-256 AA:11\n/);
    assert.match(warning, /offered: +SHA-256 BB:22\n/);
    assert.match(
      warning,
      /remove line 7 of\n\/home\/u\/\.config\/sockchat\/known_hosts and connect again/,
    );
  });
});
