// The Store in memory (`serve --store memory`): the SQLite store's behaviour —
// ids, times, lines readable once their turn is committed — kept for as long
// as the process runs.

import { roomConversation } from "./conversations.js";
import type { FileDraft, FileRecord, KeptFile, LineDraft, Store, StoredLine } from "./store.js";
import { TurnBatch } from "./turn-batch.js";

type Kept = KeptFile & Pick<FileRecord, "afterLine">;

/** The index of the first line in `lines` (ordered by id) whose id is at least `id`. */
function firstAtLeast(lines: readonly StoredLine[], id: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((lines[middle] as StoredLine).id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class MemoryStore implements Store {
  /** Each conversation's committed lines, ordered by id. */
  readonly #conversations = new Map<string, StoredLine[]>();
  readonly #lines = new TurnBatch(1, (lines) => {
    for (const line of lines) {
      const history = this.#conversations.get(line.conversation);
      if (history === undefined) this.#conversations.set(line.conversation, [line]);
      else history.push(line);
    }
  });
  /** In id order, which is the order they began. */
  readonly #files = new Map<number, { draft: FileDraft; kept?: Kept }>();
  #nextFileId = 1;

  append(draft: LineDraft, now?: number): { line: StoredLine; stored: Promise<void> } {
    return this.#lines.append(draft, now);
  }

  latest(conversation: string, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    return this.#history(conversation).slice(-limit);
  }

  before(conversation: string, before: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    const lines = this.#history(conversation);
    const end = firstAtLeast(lines, before);
    return lines.slice(Math.max(0, end - limit), end);
  }

  after(conversation: string, after: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    const lines = this.#history(conversation);
    const start = firstAtLeast(lines, after + 1);
    return lines.slice(start, start + limit);
  }

  expireLines(cutoff: number): number {
    let expired = 0;
    for (const [conversation, lines] of this.#conversations) {
      const kept = lines.filter((line) => line.ts >= cutoff);
      expired += lines.length - kept.length;
      // An emptied conversation goes, or the map would keep every key ever used.
      if (kept.length === 0) this.#conversations.delete(conversation);
      else this.#conversations.set(conversation, kept);
    }
    return expired;
  }

  beginFile(draft: FileDraft): number {
    const id = this.#nextFileId++;
    const { room, from, name, size } = draft;
    this.#files.set(id, { draft: { room, from, name, size } });
    return id;
  }

  keepFile(id: number, kept: KeptFile): number {
    const file = this.#files.get(id);
    if (file === undefined) return 0;
    const { size, senderHash, sharedAt, expiresAt } = kept;
    const afterLine = this.#history(roomConversation(file.draft.room)).at(-1)?.id ?? 0;
    file.kept = { size, sha256: kept.sha256.slice(), senderHash, sharedAt, expiresAt, afterLine };
    return afterLine;
  }

  dropFile(id: number): void {
    this.#files.delete(id);
  }

  keptFiles(): FileRecord[] {
    const records: FileRecord[] = [];
    for (const [id, { draft, kept }] of this.#files) {
      if (kept !== undefined) records.push({ id, ...draft, ...kept });
    }
    return records;
  }

  takeUnfinishedFiles(): number[] {
    const ids = [...this.#files].filter(([, file]) => file.kept === undefined).map(([id]) => id);
    for (const id of ids) this.#files.delete(id);
    return ids;
  }

  close(): void {
    this.#lines.close();
  }

  #history(conversation: string): readonly StoredLine[] {
    return this.#conversations.get(conversation) ?? [];
  }
}
