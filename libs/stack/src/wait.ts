/** Polls `probe` until it returns a value other than undefined; resolves with it and the time it took. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, ms: Date.now() - started };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started > timeoutMs) {
      const why = lastError ? `: last error ${(lastError as Error).message}` : '';
      throw new Error(`${what}: not within ${timeoutMs} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET `url`, giving its status and body; a connection error rejects. Short timeout: a dead peer must not hang a test. */
export async function httpGet(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}
