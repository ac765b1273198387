// The tests and the demo take both from here: polling, and a GET that cannot hang.
export { waitFor } from '../../wait/src/wait-for';

/** GET `url`, giving its status and body; a connection error rejects. Short timeout: a dead peer must not hang a test. */
export async function httpGet(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}
