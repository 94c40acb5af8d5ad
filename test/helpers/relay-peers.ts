// The file relay in-process: fake peers that keep what they are sent, relays
// over a spool in a scratch directory, and an upload as a well-behaved client
// makes it.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ProtocolError } from "../../src/protocol/errors.js";
import { FILE_CHUNK_BYTES, UPLOAD_WINDOW_BYTES } from "../../src/protocol/frame.js";
import { decodeServerMessage, type ServerMessage } from "../../src/protocol/messages.js";
import { DEFAULT_ROOM } from "../../src/protocol/rooms.js";
import { deliverAll } from "../../src/server/bus.js";
import { DiskSpool } from "../../src/server/disk-spool.js";
import { FileRelay, type FileRelayConfig } from "../../src/server/file-relay.js";
import type { FilePeer, Transfer } from "../../src/server/transfer.js";
import type { Store } from "../../src/store/store.js";

/** A connected client as the relay sees it: it keeps what it is sent. */
export class Peer implements FilePeer {
  readonly bulkReady = true;
  readonly received: ServerMessage[] = [];
  readonly capabilities: { readonly files: boolean };
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly nick: string,
    readonly address = "10.0.0.1",
    takesFiles = true,
  ) {
    this.capabilities = { files: takesFiles };
  }

  deliver(message: ServerMessage): void {
    this.received.push(message);
    for (const wake of this.#waiters) wake();
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    const payload = new Uint8Array(header.length - 5 + data.length);
    payload.set(header.subarray(5));
    payload.set(data, header.length - 5);
    this.deliver(decodeServerMessage({ type: header[4] as number, payload }));
  }

  /** The messages of `type` it was sent about transfer `id`. */
  about(type: ServerMessage["type"], id: number): ServerMessage[] {
    return this.received.filter((m) => m.type === type && "id" in m && m.id === id);
  }

  waitFor(match: (m: ServerMessage) => boolean, timeoutMs = 5000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.find(match);
        if (found === undefined) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.nick}: timed out; last ${JSON.stringify(this.received.at(-1))}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** The bytes of transfer `id` it was sent, in order. */
  bytesOf(id: number): Buffer {
    const chunks = this.received.flatMap((m) =>
      m.type === "file-chunk" && m.id === id ? [m] : [],
    );
    return Buffer.concat(chunks.map((m) => m.data));
  }
}

export const RELAY_DEFAULTS: FileRelayConfig = {
  maxFileBytes: 2 ** 40,
  retentionMs: 60_000,
  transferTimeoutMs: 100,
};

/** A relay over the spool in `dir`, started. */
export async function startRelay(options: {
  dir: string;
  store: Store;
  audience: (room: string) => Iterable<Peer>;
  config?: Partial<FileRelayConfig>;
}): Promise<FileRelay> {
  const relay = new FileRelay(
    { ...RELAY_DEFAULTS, ...options.config },
    {
      store: options.store,
      spool: new DiskSpool(spoolDirOf(options.dir)),
      // Notices reach the room's members as the local bus would deliver them.
      bus: {
        announce: (room, message, except) => deliverAll(options.audience(room), message, except),
      },
      audience: options.audience,
    },
  );
  await relay.start();
  return relay;
}

export function spoolDirOf(dir: string): string {
  return join(dir, "spool");
}

/** Uploads `data` from `sender` to `room` as a well-behaved client would, within its window. */
export async function upload(
  relay: FileRelay,
  sender: Peer,
  data: Uint8Array,
  options: { room?: string; name?: string } = {},
): Promise<Transfer> {
  const transfer = await relay.offer(
    sender,
    options.room ?? DEFAULT_ROOM,
    options.name ?? "f.bin",
    data.length,
  );
  if (transfer instanceof ProtocolError) throw transfer;
  await sendChunks(relay, sender, transfer.id, data);
  const sha256 = createHash("sha256").update(data).digest();
  assert.equal(await relay.end(sender, { type: "file-end", id: transfer.id, sha256 }), undefined);
  return transfer;
}

/** Sends `data` as the chunks of upload `id`, waiting for window grants as needed. */
export async function sendChunks(
  relay: FileRelay,
  sender: Peer,
  id: number,
  data: Uint8Array,
): Promise<void> {
  const grants = () => sender.about("file-window", id);
  let credit = UPLOAD_WINDOW_BYTES;
  let granted = 0;
  for (let offset = 0; offset < data.length; ) {
    for (const grant of grants().slice(granted))
      credit += grant.type === "file-window" ? grant.bytes : 0;
    granted = grants().length;
    if (credit === 0) {
      const seen = granted;
      await sender.waitFor(() => grants().length > seen);
      continue;
    }
    const length = Math.min(FILE_CHUNK_BYTES, credit, data.length - offset);
    const problem = relay.chunk(sender, {
      type: "file-chunk",
      id,
      offset,
      data: data.subarray(offset, offset + length),
    });
    assert.equal(problem, undefined);
    offset += length;
    credit -= length;
  }
}
