// What the client core needs from a connection: bytes both ways and a close.
// TCP in Node and WebSocket in the browser each provide one.

export interface ByteStream {
  write(bytes: Uint8Array): void;
  /** Bytes written and not yet handed to the network. */
  readonly bufferedBytes: number;
  close(): void;
  /** Makes a buffer that is about to be filled; the host's cheapest way (no zero-fill where it can). */
  readonly allocate?: (length: number) => Uint8Array;
  listen(handlers: { data: (bytes: Uint8Array) => void; close: (reason: string) => void }): void;
  /**
   * Calls `listener` whenever everything buffered has been handed to the
   * network. A stream with no such event (a WebSocket, whose bufferedAmount can
   * only be read) leaves it out, and is polled while an upload waits for room.
   */
  readonly onDrain?: (listener: () => void) => void;
}

/**
 * Opens a new stream to the server; rejects when it cannot, with an Error that
 * says where it tried and why, for a person ("cannot connect to
 * chat.example.org:8081: no such host").
 */
export type Dial = () => Promise<ByteStream>;
