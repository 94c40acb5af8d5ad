// Pages of history in flight, per conversation: the replay on joining a room,
// the older pages asked for when the list is scrolled to its top, and, after a
// reconnect, the pages that take a conversation back to the last line it
// showed before the loss, so that nothing said meanwhile is missing.
//
// The server answers one connection's requests in order, so the replayed lines
// of a conversation belong to the oldest page of it still open. A page ends at
// its history-end, or when its request is confirmed without one (an empty
// room's replay sends none).

export type PagePurpose =
  /** The replay on joining a room for the first time. */
  | "join"
  /** An older page, asked for by scrolling up or with /history. */
  | "older"
  /** A page after a reconnect: lines newer than `since` were said while this page was away. */
  | "resume";

export interface Page {
  readonly conv: string;
  readonly purpose: PagePurpose;
  /** For a resume page: the newest id shown before the connection was lost. */
  readonly since: number;
  /** The oldest id that came in this page; Infinity while none has. */
  oldest: number;
  count: number;
  /** The server keeps lines older than this page's. */
  more: boolean;
  ended: boolean;
}

export class HistoryPages {
  readonly #open = new Map<string, Page[]>();

  start(conv: string, purpose: PagePurpose, since = 0): Page {
    const page: Page = {
      conv,
      purpose,
      since,
      oldest: Number.POSITIVE_INFINITY,
      count: 0,
      more: false,
      ended: false,
    };
    const open = this.#open.get(conv);
    if (open === undefined) this.#open.set(conv, [page]);
    else open.push(page);
    return page;
  }

  /** The page a replayed line of `conv` with `id` belongs to, which counts it; undefined if none is open. */
  line(conv: string, id: number): Page | undefined {
    const page = this.#open.get(conv)?.[0];
    if (page === undefined) return undefined;
    page.count += 1;
    if (id > 0 && id < page.oldest) page.oldest = id;
    return page;
  }

  /** A history-end of `conv` came: ends its oldest open page. */
  end(conv: string, more: boolean): Page | undefined {
    const page = this.#open.get(conv)?.[0];
    if (page === undefined) return undefined;
    page.more = more;
    this.#close(page);
    return page;
  }

  /** The request behind `page` was answered: ends it if no history-end did; true if this ended it. */
  settle(page: Page): boolean {
    if (page.ended) return false;
    this.#close(page);
    return true;
  }

  /** Whether any page of `conv` is open. */
  open(conv: string): boolean {
    return this.#open.has(conv);
  }

  /** Whether a page of `purpose` is open for `conv`. */
  loading(conv: string, purpose: PagePurpose): boolean {
    return this.#open.get(conv)?.some((page) => page.purpose === purpose) ?? false;
  }

  /** The connection is gone, and with it every page in flight. */
  clear(): void {
    for (const pages of this.#open.values()) for (const page of pages) page.ended = true;
    this.#open.clear();
  }

  #close(page: Page): void {
    page.ended = true;
    const open = this.#open.get(page.conv);
    if (open === undefined) return;
    const at = open.indexOf(page);
    if (at >= 0) open.splice(at, 1);
    if (open.length === 0) this.#open.delete(page.conv);
  }
}

/** Whether a replayed line with `id` in `page` is new to the user: said while the page was away. */
export function isFresh(page: Page | undefined, id: number): boolean {
  return page?.purpose === "resume" && id > page.since;
}

/**
 * After a resume page ended: the `before` of the next one to ask for, as the
 * lines it brought are all newer than the last one seen and older ones are
 * kept; undefined once the gap is closed.
 */
export function nextResumePage(page: Page): number | undefined {
  if (page.purpose !== "resume" || !page.more || page.count === 0) return undefined;
  return page.oldest > page.since ? page.oldest : undefined;
}
