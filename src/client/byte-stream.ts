// What the client core needs from a connection: bytes both ways and a close.
// TCP in Node and WebSocket in the browser each provide one.

export interface ByteStream {
  write(bytes: Uint8Array): void;
  close(): void;
  listen(onData: (bytes: Uint8Array) => void, onClose: (reason: string) => void): void;
}

/** Opens a new stream to the server; rejects when it cannot. */
export type Dial = () => Promise<ByteStream>;
