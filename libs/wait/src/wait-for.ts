export interface WaitOptions {
  timeoutMs: number;
  /** Pause between two probes; default 50 ms. */
  intervalMs?: number;
  /** Stops the wait at once, rejecting with the signal's reason (e.g. the awaited process exited). */
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it returns a value other than undefined; resolves with
 * that value and the time it took. A probe that throws is tried again (what
 * is awaited is often not listening yet). On timeout it rejects with one line
 * naming what was awaited and the last error, if any.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs, intervalMs = 50, signal }: WaitOptions): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined) return { value, ms: Date.now() - started };
    } catch (err) {
      lastError = err;
    }
    signal?.throwIfAborted();
    if (Date.now() - started > timeoutMs) {
      const why = lastError ? `; last error: ${String((lastError as Error).message ?? lastError).split('\n')[0]}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
