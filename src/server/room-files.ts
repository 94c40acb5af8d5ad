// The files kept in one room, in the order they were shared: what /files lists
// and what /get finds by name, without walking the files of every other room.

/** What the index needs of a kept file. */
export interface KeptFile {
  readonly id: number;
  readonly name: string;
}

export class RoomFiles<F extends KeptFile> {
  /** By id; a Map keeps insertion order, which is the order they were shared. */
  readonly #files = new Map<number, F>();
  /** Those of each name, oldest first. */
  readonly #named = new Map<string, F[]>();

  get size(): number {
    return this.#files.size;
  }

  /** Adds a file just shared, the newest now. */
  add(file: F): void {
    this.#files.set(file.id, file);
    const named = this.#named.get(file.name);
    if (named === undefined) this.#named.set(file.name, [file]);
    else named.push(file);
  }

  delete(file: F): void {
    if (!this.#files.delete(file.id)) return;
    const named = this.#named.get(file.name) as F[];
    named.splice(named.indexOf(file), 1);
    if (named.length === 0) this.#named.delete(file.name);
  }

  /** The newest `limit` files, oldest of them first. */
  newest(limit: number): F[] {
    return [...this.#files.values()].slice(Math.max(0, this.#files.size - limit));
  }

  /** The newest file called `name`. */
  newestNamed(name: string): F | undefined {
    return this.#named.get(name)?.at(-1);
  }
}
