import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first defined value and the time it took, trying again after errors', async () => {
    let calls = 0;
    const { value, ms } = await waitFor(
      'the third try',
      async () => {
        calls++;
        if (calls === 1) throw new Error('not listening yet');
        return calls === 3 ? 'ready' : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
    expect(ms).toBeGreaterThanOrEqual(20);
  });

  it('times out with one line naming what it awaited and the last error', async () => {
    const wait = waitFor('the moon', async () => Promise.reject(new Error('connection refused\n    at somewhere')), { timeoutMs: 60, intervalMs: 10 });
    await expect(wait).rejects.toThrow(/^timed out after 60 ms waiting for the moon; last error: connection refused$/);
  });

  it('says only what it awaited when the probe never failed', async () => {
    await expect(waitFor('nothing', async () => undefined, { timeoutMs: 30, intervalMs: 10 })).rejects.toThrow(/^timed out after 30 ms waiting for nothing$/);
  });

  it('stops at once when its signal is aborted, with the signal\'s reason', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('the process exited')), 20);
    const started = Date.now();
    await expect(waitFor('a dead process', async () => undefined, { timeoutMs: 10_000, intervalMs: 5, signal: stop.signal })).rejects.toThrow('the process exited');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
