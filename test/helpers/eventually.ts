// Waiting in tests for a condition that settles over some turns of the event loop.

/** Resolves with the first result of `check` that is not undefined, looking every millisecond. */
export async function eventually<T>(
  check: () => T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result !== undefined) return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
