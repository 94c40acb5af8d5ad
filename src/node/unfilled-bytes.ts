// A byte array about to be overwritten whole, so not zero-filled first; as a
// plain Uint8Array, whose views are cheaper to make than a Buffer's.

export function unfilledBytes(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}
