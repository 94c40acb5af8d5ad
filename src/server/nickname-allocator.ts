// How a free nickname is picked: the first of base, base-2, base-3, … that is
// not taken, without trying each of them.

import { MAX_NICK_LENGTH, nickKey } from "../protocol/nicknames.js";
import { MinHeap } from "./min-heap.js";

/** The nicknames sharing one base that the allocator gave out with a suffix. */
interface Family {
  readonly key: string;
  /** The lowest suffix never given out since the family formed. */
  next: number;
  /** Suffixes given out and released since, to be given out again lowest first. */
  readonly freed: MinHeap;
  /** Suffixed nicknames of the family in use. */
  live: number;
}

/**
 * Picks the first of base, base-2, base-3, … that is free, without trying each
 * of them: ten thousand guests joining cost ten thousand look-ups, not fifty
 * million. It remembers, per base, the suffixes it gave out and those released
 * since; a family is forgotten when none of its suffixed names is in use.
 */
export class NicknameAllocator {
  readonly #families = new Map<string, Family>();
  /** Which family and suffix each suffixed nickname in use came from, by nickKey. */
  readonly #given = new Map<string, { family: Family; suffix: number }>();

  /** `base` or its lowest free suffixed variant; `taken` says whether a name is in use. */
  allocate(base: string, taken: (nick: string) => boolean): string {
    if (!taken(base)) return base;
    const key = nickKey(base);
    let family = this.#families.get(key);
    if (family === undefined) {
      family = { key, next: 2, freed: new MinHeap(), live: 0 };
      this.#families.set(key, family);
    }
    for (;;) {
      // A freed suffix may have been taken since by someone who chose it: skip it then.
      const suffix = family.freed.pop() ?? family.next++;
      const candidate = withSuffix(base, suffix);
      if (taken(candidate)) continue;
      family.live += 1;
      this.#given.set(nickKey(candidate), { family, suffix });
      return candidate;
    }
  }

  /** `nick` is no longer in use (its holder left or took another name). */
  release(nick: string): void {
    const key = nickKey(nick);
    const given = this.#given.get(key);
    if (given === undefined) return;
    this.#given.delete(key);
    const { family, suffix } = given;
    family.live -= 1;
    if (family.live === 0) this.#families.delete(family.key);
    else family.freed.push(suffix);
  }
}

/** `base-n`, the base cut short so that the whole fits the length limit. */
function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`;
  return [...base].slice(0, MAX_NICK_LENGTH - suffix.length).join("") + suffix;
}
