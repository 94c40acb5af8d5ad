// Where the relay keeps file bytes: one spooled file per transfer id, appended
// in order while its upload is under way, then read at any offset by receivers
// at their own pace. The relay only ever uses this interface, so files can live
// on the local disk (disk-spool.ts, the default) or, later, in an object store.

/** Appends to one spooled file while its upload is under way. */
export interface SpoolWriter {
  /** Queues `data` after everything appended before; resolves once it is stored. */
  append(data: Uint8Array): Promise<void>;
  /** Resolves when every append so far is stored (or rejects with the first failure). */
  flushed(): Promise<void>;
  /** Every byte is in: lets go of what writing held (a descriptor) once they are stored. */
  seal(): Promise<void>;
}

export interface DiskSpace {
  /** Bytes an unprivileged process may still write. */
  free: number;
  /** The file system's size. */
  total: number;
}

export interface SpoolStorage {
  /** Makes the storage ready for use; what it holds from an earlier run is kept. */
  open(): Promise<void>;
  /** Starts the file of transfer `id`, never replacing one. */
  create(id: number): Promise<SpoolWriter>;
  /** `length` bytes from `offset`; holds nothing open between reads. */
  read(id: number, offset: number, length: number): Promise<Uint8Array>;
  /** Deletes file `id`, letting go of its writer first if it still has one; no error if it is gone. */
  remove(id: number): Promise<void>;
  /** Every stored file: its transfer id and its size in bytes. */
  list(): Promise<Map<number, number>>;
  /** Room left for more files. */
  space(): Promise<DiskSpace>;
}
