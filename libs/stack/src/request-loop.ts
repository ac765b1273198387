import { httpGet } from './wait';

export interface LoopResult {
  total: number;
  failures: string[];
  /** Each distinct body seen, in order of first sight. */
  bodies: string[];
}

/**
 * Sends requests one after another until stopped, bounded by `maxMs`, and
 * keeps every failure (a refused connection, a timeout, a non-200), so a
 * test can assert that none happened while something changed underneath.
 */
export function requestLoop(url: string, { maxMs = 60_000, expectStatus = 200 } = {}): { stop: () => Promise<LoopResult> } {
  const result: LoopResult = { total: 0, failures: [], bodies: [] };
  let running = true;
  const until = Date.now() + maxMs;
  const done = (async () => {
    while (running && Date.now() < until) {
      result.total++;
      try {
        const { status, body } = await httpGet(url);
        if (status !== expectStatus) result.failures.push(`${status} ${body.trim()}`);
        else if (!result.bodies.includes(body)) result.bodies.push(body);
      } catch (err) {
        result.failures.push((err as Error).message);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return result;
    },
  };
}
