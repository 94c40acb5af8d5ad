// One conversation's lines in the order the server stored them, whatever
// order they arrive in: live, replayed on joining, paged in from the history,
// replayed again after a reconnect. A stored line is known by its id and is
// kept once. A line without an id (an own line the server has not sent back,
// a notice, a file) keeps the place it had when it came: after the stored line
// then newest, or after the one the server named (a file shared before this
// page came); an own line moves once more, to where the server answered it.
// An own line can be `claim`ed by the server's copy of it, which
// then takes its place in id order, so it never shows twice.

export interface Placed<T> {
  /** Stable for as long as the line is in the list, also when claimed: for rendering. */
  readonly key: string;
  /** The server's id of a stored line. */
  readonly id: number | undefined;
  readonly item: T;
}

interface Slot<T> {
  key: string;
  id: number | undefined;
  item: T;
  /** Stored lines sort by id; others come after the id they were anchored at, in arrival order. */
  anchor: number;
  seq: number;
  claim: string | undefined;
  /** An own line the server has not answered yet. */
  awaiting: boolean;
}

export class MessageList<T> {
  readonly #slots: Slot<T>[] = [];
  readonly #ids = new Set<number>();
  readonly #keys = new Map<string, Slot<T>>();
  #seq = 0;
  #oldest: number | undefined;
  #newest: number | undefined;

  /** Every line, oldest first. */
  get entries(): readonly Placed<T>[] {
    return this.#slots;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** The smallest stored id, where an older page starts; undefined with no stored line. */
  get oldestId(): number | undefined {
    return this.#oldest;
  }

  get newestId(): number | undefined {
    return this.#newest;
  }

  has(id: number): boolean {
    return this.#ids.has(id);
  }

  hasKey(key: string): boolean {
    return this.#keys.has(key);
  }

  get(key: string): T | undefined {
    return this.#keys.get(key)?.item;
  }

  /**
   * Adds stored line `id` in id order; false, changing nothing, when it is
   * here already. A line without an id whose claim is `claim` (the oldest such)
   * gives way to it, and it keeps that line's key.
   */
  addStored(id: number, item: T, claim?: string): boolean {
    if (this.#ids.has(id)) return false;
    let key = `m${id}`;
    if (claim !== undefined) {
      const at = this.#slots.findIndex((slot) => slot.claim === claim);
      if (at >= 0) {
        const [claimed] = this.#slots.splice(at, 1) as [Slot<T>];
        key = claimed.key;
        this.#keys.delete(key);
      }
    }
    const slot: Slot<T> = {
      key,
      id,
      item,
      anchor: id,
      seq: 0,
      claim: undefined,
      awaiting: false,
    };
    this.#slots.splice(this.#insertionPoint(id), 0, slot);
    this.#ids.add(id);
    this.#keys.set(key, slot);
    if (this.#oldest === undefined || id < this.#oldest) this.#oldest = id;
    if (this.#newest === undefined || id > this.#newest) this.#newest = id;
    return true;
  }

  /**
   * Adds a line with no id after every line here now; `claim` lets the
   * server's copy of it take its place later (see addStored), and `awaiting`
   * says it moves when the server answers it (see settle). Returns its key,
   * `key` if given; a key already here adds nothing.
   */
  addLocal(item: T, options: { key?: string; claim?: string; awaiting?: boolean } = {}): string {
    this.#seq += 1;
    const key = options.key ?? `l${this.#seq}`;
    if (this.#keys.has(key)) return key;
    const anchor = this.#slots.at(-1)?.anchor ?? 0;
    const slot: Slot<T> = {
      key,
      id: undefined,
      item,
      anchor,
      seq: this.#seq,
      claim: options.claim,
      awaiting: options.awaiting === true,
    };
    this.#slots.push(slot);
    this.#keys.set(key, slot);
    return key;
  }

  /**
   * Adds line `key`, with no id, after stored line `after` (0: before every
   * stored line) and what was put after that line before it, whether or not
   * that line is here yet: a stored line loaded later still goes on the side
   * its id says. False, adding nothing, when `key` is here already.
   */
  addAfter(after: number, item: T, key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#seq += 1;
    const slot: Slot<T> = {
      key,
      id: undefined,
      item,
      anchor: after,
      seq: this.#seq,
      claim: undefined,
      awaiting: false,
    };
    this.#slots.splice(
      this.#firstNotBefore((s) => s.anchor <= after),
      0,
      slot,
    );
    this.#keys.set(key, slot);
    return true;
  }

  /**
   * The server answered own line `key` (added `awaiting`): it moves after
   * every line here now but the own lines still awaiting their answer, as the
   * answer comes in the order the server took the room's lines.
   */
  settle(key: string): void {
    const slot = this.#keys.get(key);
    if (slot === undefined || !slot.awaiting) return;
    slot.awaiting = false;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    let at = this.#slots.length;
    while (at > 0 && (this.#slots[at - 1] as Slot<T>).awaiting) at -= 1;
    this.#seq += 1;
    slot.anchor = this.#slots[at - 1]?.anchor ?? 0;
    slot.seq = this.#seq;
    this.#slots.splice(at, 0, slot);
  }

  /** Replaces the item of line `key`; false when there is none. */
  update(key: string, change: (item: T) => T): boolean {
    const slot = this.#keys.get(key);
    if (slot === undefined) return false;
    slot.item = change(slot.item);
    return true;
  }

  /** Where a stored line `id` goes: after every line that sorts before (id, 0). */
  #insertionPoint(id: number): number {
    return this.#firstNotBefore((s) => s.anchor < id || (s.anchor === id && s.seq === 0));
  }

  /**
   * The first slot `before` is false for; anchors only grow along the list,
   * so it holds for every slot up to there and none after.
   */
  #firstNotBefore(before: (slot: Slot<T>) => boolean): number {
    let low = 0;
    let high = this.#slots.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (before(this.#slots[mid] as Slot<T>)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
