// File transfers at their edges: hostile names, chat flowing during a large
// transfer, and a download resumed after its connection dropped.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { ByteStream, Dial } from "../../src/client/byte-stream.js";
import { ChatClient } from "../../src/client/chat-client.js";
import type { FileSource, FileStore, TransferEvent } from "../../src/client/files.js";
import {
  DirectoryStore,
  nodeFileSupport,
  openFileSource,
  sha256Hasher,
} from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import {
  DOWNLOAD_WINDOW_BYTES,
  FILE_CHUNK_BYTES,
  UPLOAD_WINDOW_BYTES,
} from "../../src/protocol/frame.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { type ServerProcess, startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";
import { throttledStore } from "../helpers/throttled-store.js";

function nextEvent(
  client: ChatClient,
  match: (e: TransferEvent) => boolean,
): Promise<TransferEvent> {
  return new Promise((resolve) => {
    const listener = (event: TransferEvent) => {
      if (!match(event)) return;
      client.off("transfer", listener);
      resolve(event);
    };
    client.on("transfer", listener);
  });
}

/** A source of `size` bytes of one value, under any name. */
function syntheticSource(name: string, size: number): FileSource {
  return {
    name,
    size,
    read: async (_offset, length) => new Uint8Array(length).fill(42),
    close: async () => {},
  };
}

/** A TCP dial whose connection the test can cut at will, as a network failure would. */
function cuttableDial(port: number): { dial: Dial; cut(): void } {
  let socket: ReturnType<typeof netConnect> | undefined;
  return {
    cut: () => socket?.destroy(),
    dial: async (): Promise<ByteStream> => {
      const s = netConnect({ host: "127.0.0.1", port });
      socket = s;
      await once(s, "connect");
      return {
        write: (bytes) => s.write(bytes),
        get bufferedBytes() {
          return s.writableLength;
        },
        close: () => s.end(),
        listen: (handlers) => {
          s.on("data", handlers.data);
          s.on("error", () => {});
          s.on("close", () => handlers.close("cut"));
        },
        onDrain: (listener) => {
          s.on("drain", listener);
        },
      };
    },
  };
}

describe("file transfer edges", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  const clients: ChatClient[] = [];

  async function join_(nick: string, store?: FileStore, dial?: Dial): Promise<ChatClient> {
    const client = new ChatClient({
      dial: dial ?? tcpDial("127.0.0.1", server.port),
      nick,
      clientName: "test",
      files: { hasher: sha256Hasher, ...(store === undefined ? {} : { store }) },
    });
    await client.connect();
    clients.push(client);
    return client;
  }

  before(async () => {
    work = await tempDir("edges");
    server = await startServer(["--quiet", "--data-dir", join(work.path, "server")]);
  });
  // Each test starts with only its own clients connected, so they alone receive its files.
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  it("the server returns a sender's window a quarter window at a time, as its data is spooled", async () => {
    const raw = await rawNative(server.port, "granted");
    const size = 12 * FILE_CHUNK_BYTES;
    raw.send({ type: "file-offer", seq: 1, name: "batched.bin", size });
    const accepted = await raw.waitFor((m) => m.type === "file-accepted");
    const id = (accepted as { id: number }).id;
    const data = new Uint8Array(size).fill(7);
    for (let offset = 0; offset < size; offset += FILE_CHUNK_BYTES) {
      raw.send({
        type: "file-chunk",
        id,
        offset,
        data: data.subarray(offset, offset + FILE_CHUNK_BYTES),
      });
    }
    raw.send({ type: "file-end", id, sha256: createHash("sha256").update(data).digest() });
    await raw.waitFor((m) => m.type === "file-verified" && m.id === id);
    const grants = () =>
      raw.received.flatMap((m) => (m.type === "file-window" && m.id === id ? [m.bytes] : []));
    await raw.waitFor(() => grants().length === 3);
    const batch = UPLOAD_WINDOW_BYTES / 4;
    assert.deepEqual(grants(), [batch, batch, batch]);
    raw.socket.destroy();
  });

  it("the server sends a receiver no more than its download window until it grants more", async () => {
    const stingy = await rawNative(server.port, "stingy");
    const sender = await join_("generous");
    const outgoing = await sender.sendFile(
      syntheticSource("deep.bin", DOWNLOAD_WINDOW_BYTES + 8 * FILE_CHUNK_BYTES),
    );
    const chunkBytes = () =>
      stingy.received.reduce((sum, m) => sum + (m.type === "file-chunk" ? m.data.length : 0), 0);
    await stingy.waitFor(() => chunkBytes() === DOWNLOAD_WINDOW_BYTES);
    // One more byte of credit: the next chunk carries exactly that, so none went beyond it before.
    const offered = await stingy.waitFor((m) => m.type === "file-offered");
    stingy.send({ type: "file-window", id: (offered as { id: number }).id, bytes: 1 });
    const next = await stingy.waitFor(
      (m) => m.type === "file-chunk" && m.offset === DOWNLOAD_WINDOW_BYTES,
    );
    assert.equal((next as { data: Uint8Array }).data.length, 1);
    stingy.socket.destroy();
    const result = await outgoing.delivered;
    assert.deepEqual([result.delivered, result.failed], [0, 1]);
    assert.match(result.detail, /^stingy: stingy disconnected$/);
  });

  it("hostile names are saved safely inside the save directory", async () => {
    const saveDir = join(work.path, "hostile");
    const receiver = await join_("careful", new DirectoryStore(saveDir));
    const sender = await join_("mallory");
    const names = [
      "../../etc/passwd",
      "a/b",
      "line\nbreak.txt",
      ".hidden",
      `${"x".repeat(10_000)}.txt`,
      "..",
      "c\\d.exe",
    ];
    for (const name of names) {
      const saved = nextEvent(
        receiver,
        (e) => e.type === "download-saved" || e.type === "download-failed",
      );
      const outgoing = await sender.sendFile(syntheticSource(name, 1000));
      await outgoing.delivered;
      assert.equal((await saved).type, "download-saved");
    }
    const files = (await readdir(saveDir)).sort();
    assert.deepEqual(files.slice(0, 6), [
      "terima_b",
      "terima_d.exe",
      "terima_file",
      "terima_hidden",
      "terima_line_break.txt",
      "terima_passwd",
    ]);
    const long = files[6] as string;
    assert.match(long, /^terima_x+\.txt$/);
    assert.ok(Buffer.byteLength(long) <= 210, `${Buffer.byteLength(long)} bytes`);
    assert.equal(files.length, 7);
  });

  it("chat between clients keeps arriving while a large file is relayed to them", async () => {
    const saveDir = join(work.path, "busy");
    // Receivers that write at 20 MB/s keep the transfer going for a few seconds.
    const slowStore = (dir: string) => throttledStore(new DirectoryStore(dir), 20_000_000);
    const ann = await join_("ann", slowStore(join(saveDir, "ann")));
    const ben = await join_("ben", slowStore(join(saveDir, "ben")));
    const sender = await join_("bulk");
    const path = join(work.path, "big.bin");
    const digest = await randomFile(path, 60_000_000);

    const benSaved = nextEvent(ben, (e) => e.type === "download-saved");
    let transferEnded = false;
    void benSaved.then(() => {
      transferEnded = true;
    });
    const outgoing = await sender.sendFile(await openFileSource(path));
    await nextEvent(ben, (e) => e.type === "download-progress");

    const arrivedDuringTransfer: boolean[] = [];
    ben.on("server", (m) => {
      if (m.type === "message" && m.from === "ann") arrivedDuringTransfer.push(!transferEnded);
    });
    for (let i = 0; i < 10; i++) {
      await ann.send({ type: "say", text: `still talking ${i}` });
      await delay(20);
    }
    await benSaved;
    assert.deepEqual(arrivedDuringTransfer, Array(10).fill(true));
    const result = await outgoing.delivered;
    assert.equal(result.delivered, 2);
    assert.equal(result.failed, 0);
    assert.equal(await sha256File(join(saveDir, "ben", "terima_big.bin")), digest);
  });

  it("a /get cut off by a dropped connection resumes where it stopped and yields the identical file", async () => {
    const sender = await join_("source");
    const path = join(work.path, "resume.bin");
    const digest = await randomFile(path, 40_000_000);
    const outgoing = await sender.sendFile(await openFileSource(path));
    await outgoing.delivered;

    const saveDir = join(work.path, "resumer");
    const line = cuttableDial(server.port);
    const late = await join_("late", nodeFileSupport(saveDir).store, line.dial);
    const progressed = nextEvent(
      late,
      (e) => e.type === "download-progress" && e.received >= 5_000_000,
    );
    const interrupted = nextEvent(late, (e) => e.type === "download-interrupted");
    await late.getFile(outgoing.id);
    await progressed;
    line.cut();
    const cut = await interrupted;
    assert.equal(cut.type, "download-interrupted");
    late.close();

    const again = await join_("late2", nodeFileSupport(saveDir).store);
    const started = nextEvent(again, (e) => e.type === "download-started");
    const saved = nextEvent(
      again,
      (e) => e.type === "download-saved" || e.type === "download-failed",
    );
    await again.getFile(outgoing.id);
    const start = await started;
    assert.ok(
      start.type === "download-started" && start.offset > 0,
      "resumed from where it stopped",
    );
    assert.equal((await saved).type, "download-saved");
    assert.equal(await sha256File(join(saveDir, "terima_resume.bin")), digest);
    assert.deepEqual(
      (await readdir(saveDir)).filter((f) => f.endsWith(".part")),
      [],
    );
  });
});
