// The Store contract, run against every implementation (sqlite-store.test.ts,
// memory-store.test.ts): what the server may count on whichever it runs with.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { privateConversation, roomConversation } from "../../src/store/conversations.js";
import type { FileRecord, LineDraft, Store, StoredLine } from "../../src/store/store.js";

/** A fresh, empty store, and how to be rid of it (closed or not) when the test is done. */
export interface FreshStore {
  store: Store;
  remove(): Promise<void>;
}

const ROOM = "#Lobby";

export function say(text: string, room = ROOM, from = "alice"): LineDraft {
  return { conversation: roomConversation(room), kind: "say", room, from, to: "", text };
}

function whisper(from: string, to: string, text: string): LineDraft {
  return { conversation: privateConversation(from, to), kind: "private", room: "", from, to, text };
}

const ids = (lines: readonly StoredLine[]) => lines.map((line) => line.id);
const texts = (lines: readonly StoredLine[]) => lines.map((line) => line.text);

/** Appends `drafts` in one turn and waits for their commit. */
export async function appendAll(
  store: Store,
  drafts: readonly LineDraft[],
  now?: number,
): Promise<StoredLine[]> {
  const appended = drafts.map((draft) => store.append(draft, now));
  await Promise.all(appended.map((a) => a.stored));
  return appended.map((a) => a.line);
}

/** A file record with its hash as hex, so records compare whatever bytes type the store returns. */
export const comparable = (file: FileRecord) => ({
  ...file,
  sha256: Buffer.from(file.sha256).toString("hex"),
});

export const upload = { room: ROOM, from: "alice", name: "notes.txt", size: 1234 };
/** As the relay keeps an upload: its size is what arrived (the original client's says none up front). */
export const verified = {
  size: upload.size,
  sha256: new Uint8Array(32).fill(7),
  senderHash: true,
  sharedAt: 1_700_000_000_000,
  expiresAt: 1_700_086_400_000,
};

export function storeSuite(name: string, fresh: () => Promise<FreshStore>): void {
  /** Runs `test` on a fresh store, closed and removed afterwards whatever happens. */
  const withStore = (test: (store: Store) => Promise<void> | void) => async () => {
    const { store, remove } = await fresh();
    try {
      await test(store);
    } finally {
      await remove();
    }
  };

  describe(`${name}: the Store contract`, () => {
    it(
      "gives ids increasing in the order of appends, and the server's time",
      withStore(async (store) => {
        const earliest = Date.now();
        const first = store.append(say("one"));
        const second = store.append(say("two", "#other"));
        const third = store.append(say("three"), 42);
        await third.stored;
        const fourth = store.append(say("four"));
        assert.ok(first.line.id < second.line.id);
        assert.ok(second.line.id < third.line.id);
        assert.ok(third.line.id < fourth.line.id);
        assert.ok(first.line.ts >= earliest && first.line.ts <= Date.now());
        assert.equal(third.line.ts, 42);
        assert.deepEqual(
          { ...first.line, id: 0, ts: 0 },
          { id: 0, ts: 0, ...say("one") },
          "the line is the draft with its id and time",
        );
        await fourth.stored;
      }),
    );

    it(
      "makes a line readable once its turn is committed, which is when `stored` resolves",
      withStore(async (store) => {
        const { line, stored } = store.append(say("hello"));
        const other = store.append(say("hi"));
        assert.deepEqual(store.latest(line.conversation, 10), [], "not committed yet");
        let seen: StoredLine[] = [];
        await stored.then(() => {
          seen = store.latest(line.conversation, 10);
        });
        assert.deepEqual(seen, [line, other.line], "committed with every line of its turn");
        await other.stored;
      }),
    );

    it(
      "stores what the draft held, not the object it came in",
      withStore(async (store) => {
        const draft = { ...say("as typed"), extra: "not a field" };
        const { line, stored } = store.append(draft);
        draft.text = "changed afterwards";
        await stored;
        assert.deepEqual(store.latest(line.conversation, 1), [line]);
        assert.equal(line.text, "as typed");
        assert.ok(!("extra" in line));
      }),
    );

    it(
      "pages a conversation oldest first, bounded by the limit, in id order when times tie",
      withStore(async (store) => {
        const room = roomConversation(ROOM);
        const lines: StoredLine[] = [];
        // Two rooms interleaved, every line at the same millisecond.
        for (let i = 0; i < 10; i++) {
          const [mine] = await appendAll(store, [say(`line ${i}`), say(`else ${i}`, "#else")], 5);
          lines.push(mine as StoredLine);
        }
        const at = (i: number) => (lines[i] as StoredLine).id;
        assert.deepEqual(store.latest(room, 3), lines.slice(7));
        assert.deepEqual(store.latest(room, 100), lines);
        assert.deepEqual(store.before(room, at(5), 2), lines.slice(3, 5));
        assert.deepEqual(store.before(room, at(2), 5), lines.slice(0, 2));
        assert.deepEqual(store.before(room, at(0), 5), []);
        assert.deepEqual(store.after(room, at(5), 2), lines.slice(6, 8));
        assert.deepEqual(store.after(room, at(8), 5), lines.slice(9));
        assert.deepEqual(store.after(room, at(9), 5), []);
        assert.deepEqual(store.after(room, 0, 4), lines.slice(0, 4));
        // Ids between two of this room's lines (another room's) page the same way.
        assert.deepEqual(store.before(room, at(5) + 1, 1), lines.slice(5, 6));
        assert.deepEqual(store.after(room, at(5) + 1, 1), lines.slice(6, 7));
        for (const limit of [0, -1]) {
          assert.deepEqual(store.latest(room, limit), []);
          assert.deepEqual(store.before(room, at(9), limit), []);
          assert.deepEqual(store.after(room, 0, limit), []);
        }
        assert.deepEqual(store.latest(roomConversation("#nobody-here"), 10), []);
      }),
    );

    it(
      "walks back through a conversation with `before` and forward with `after`, each line once",
      withStore(async (store) => {
        const room = roomConversation(ROOM);
        const drafts = Array.from({ length: 23 }, (_, i) => say(`walk ${i}`));
        const lines = [...(await appendAll(store, drafts)), ...(await appendAll(store, drafts))];
        const back: StoredLine[] = [];
        for (let page = store.latest(room, 5); page.length > 0; ) {
          back.unshift(...page);
          page = store.before(room, (page[0] as StoredLine).id, 5);
        }
        assert.deepEqual(ids(back), ids(lines));
        const forward: StoredLine[] = [];
        for (let page = store.after(room, 0, 7); page.length > 0; ) {
          forward.push(...page);
          page = store.after(room, (page.at(-1) as StoredLine).id, 7);
        }
        assert.deepEqual(ids(forward), ids(lines));
      }),
    );

    it(
      "keeps rooms and private conversations apart, a pair's the same whoever asks",
      withStore(async (store) => {
        await appendAll(store, [
          say("in the lobby"),
          whisper("alice", "Bob", "psst"),
          say("elsewhere", "#kitchen"),
          whisper("bob", "ALICE", "what"),
          whisper("alice", "carol", "hi carol"),
          say("lobby, any spelling", "#LOBBY"),
        ]);
        assert.deepEqual(texts(store.latest(roomConversation("#lobby"), 10)), [
          "in the lobby",
          "lobby, any spelling",
        ]);
        assert.deepEqual(texts(store.latest(roomConversation("#Kitchen"), 10)), ["elsewhere"]);
        const pair = store.latest(privateConversation("BOB", "alice"), 10);
        assert.deepEqual(texts(pair), ["psst", "what"]);
        assert.deepEqual(
          pair.map(({ kind, room, from, to }) => ({ kind, room, from, to })),
          [
            { kind: "private", room: "", from: "alice", to: "Bob" },
            { kind: "private", room: "", from: "bob", to: "ALICE" },
          ],
        );
        assert.deepEqual(texts(store.latest(privateConversation("carol", "alice"), 10)), [
          "hi carol",
        ]);
      }),
    );

    it(
      "expires lines older than the cutoff, in every conversation",
      withStore(async (store) => {
        await appendAll(store, [say("old"), say("old too", "#else")], 1000);
        await appendAll(store, [say("middle"), whisper("a", "b", "middle too")], 2000);
        const [newest] = await appendAll(store, [say("new")], 3000);
        assert.equal(store.expireLines(2000), 2);
        assert.equal(store.expireLines(2000), 0);
        assert.deepEqual(texts(store.latest(roomConversation(ROOM), 10)), ["middle", "new"]);
        assert.deepEqual(store.latest(roomConversation("#else"), 10), []);
        assert.equal(store.expireLines(Number.POSITIVE_INFINITY), 3);
        assert.deepEqual(store.latest(roomConversation(ROOM), 10), []);
        const { line, stored } = store.append(say("after all went"));
        assert.ok(line.id > (newest as StoredLine).id, "ids are not given again");
        await stored;
      }),
    );

    it(
      "indexes files: begun, kept until dropped, or taken back as unfinished",
      withStore((store) => {
        const first = store.beginFile(upload);
        const second = store.beginFile({ ...upload, name: "second.bin", from: "bob" });
        // Begun with the size unknown, kept with the size that arrived.
        const third = store.beginFile({ ...upload, name: "third.bin", size: 0 });
        const fourth = store.beginFile({ ...upload, name: "fourth.bin" });
        assert.ok(first < second && second < third && third < fourth);
        assert.deepEqual(store.keptFiles(), [], "nothing is listed before it is kept");
        store.keepFile(third, { ...verified, size: 77, senderHash: false });
        store.keepFile(first, verified);
        assert.deepEqual(store.keptFiles().map(comparable), [
          comparable({ id: first, ...upload, ...verified, afterLine: 0 }),
          comparable({
            id: third,
            ...upload,
            name: "third.bin",
            ...verified,
            size: 77,
            senderHash: false,
            afterLine: 0,
          }),
        ]);
        store.dropFile(first);
        store.dropFile(fourth);
        assert.deepEqual(
          store.keptFiles().map((f) => f.id),
          [third],
        );
        assert.deepEqual(store.takeUnfinishedFiles(), [second]);
        assert.deepEqual(store.takeUnfinishedFiles(), [], "taken means forgotten");
        assert.deepEqual(
          store.keptFiles().map((f) => f.id),
          [third],
        );
        const fifth = store.beginFile(upload);
        assert.ok(fifth > fourth, "file ids are not given again");
      }),
    );

    it(
      "places a kept file after the newest line of its room committed when it was kept",
      withStore(async (store) => {
        const [said, elsewhere] = await appendAll(store, [say("before"), say("other", "#else")]);
        const early = store.beginFile(upload);
        const late = store.beginFile({ ...upload, room: "#LOBBY", name: "late.txt" });
        const empty = store.beginFile({ ...upload, room: "#empty", name: "alone.txt" });
        const saidId = (said as StoredLine).id;
        assert.equal(store.keepFile(early, verified), saidId, "not another room's line");
        assert.ok((elsewhere as StoredLine).id > saidId);
        // Delivered once committed, after the file's notice: the file comes before it.
        const pending = store.append(say("said in the same turn"));
        assert.equal(store.keepFile(late, verified), saidId);
        await pending.stored;
        assert.equal(store.keepFile(empty, verified), 0, "a room with no lines");
        store.expireLines(Number.POSITIVE_INFINITY);
        assert.deepEqual(
          store.keptFiles().map((f) => [f.name, f.afterLine]),
          [
            ["notes.txt", saidId],
            ["late.txt", saidId],
            ["alone.txt", 0],
          ],
          "as it was kept, once its lines are gone too",
        );
      }),
    );

    it(
      "keeps the hash it was given, not the caller's buffer",
      withStore((store) => {
        const id = store.beginFile(upload);
        const sha256 = new Uint8Array(32).fill(1);
        store.keepFile(id, { ...verified, sha256 });
        sha256.fill(2);
        assert.equal(comparable(store.keptFiles()[0] as FileRecord).sha256, "01".repeat(32));
      }),
    );

    it(
      "commits what is pending when closed, and takes no more lines after",
      withStore(async (store) => {
        const { stored } = store.append(say("last words"));
        store.close();
        await stored;
        assert.throws(() => store.append(say("too late")), /closed/);
      }),
    );
  });
}
