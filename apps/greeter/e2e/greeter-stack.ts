import { expect } from 'vitest';
import { imageExists } from '../../../libs/image/src/daemon';
import { type BuildRecord, readRecord } from '../../../libs/image/src/record';
import type { RunningContainer } from '../../../libs/stack/src/containers';
import { execIn } from '../../../libs/stack/src/containers';
import type { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';

export const GREETER_IMAGE = 'greeter:latest';

/** greeter's build record, which names its image by digest (for images derived from it). */
export async function greeterRecord(): Promise<BuildRecord> {
  const path = new URL('../../../dist/images/greeter.json', import.meta.url).pathname;
  const record = await readRecord(path);
  if (!record) throw new Error(`no build record at ${path}: run \`nx run greeter:image\` (the e2e target depends on it)`);
  return record;
}

export async function requireGreeterImage(stack: Stack): Promise<void> {
  if (!(await imageExists(stack.engine, GREETER_IMAGE))) {
    throw new Error(`${GREETER_IMAGE} is not in the daemon: run \`nx run greeter:image\` (the e2e target depends on it)`);
  }
}

/** The read-only variant of the run-time contract: only the tmpfs mounts are writable. */
export const READ_ONLY = { readOnly: true, tmpfs: { '/run': 'rw,nosuid,nodev,size=16m', '/tmp': 'rw,nosuid,nodev,size=16m' } };

export async function greeting(c: RunningContainer, name = 'Ann'): Promise<string | undefined> {
  const { status, body } = await httpGet(`${c.url}/greet?name=${name}`);
  return status === 200 ? (JSON.parse(body) as { greeting: string }).greeting : undefined;
}

export async function waitForGreeting(c: RunningContainer, expected: string, timeoutMs: number, intervalMs = 20): Promise<number> {
  return (await waitFor(`greeting "${expected}"`, async () => ((await greeting(c)) === expected ? true : undefined), { timeoutMs, intervalMs })).ms;
}

export async function waitHealthy(c: RunningContainer, timeoutMs: number, intervalMs = 20): Promise<number> {
  return (await waitFor('/healthz 200', async () => ((await httpGet(`${c.url}/healthz`)).status === 200 ? true : undefined), { timeoutMs, intervalMs })).ms;
}

/** The pid of a program inside the container (busybox pidof), or undefined. */
export async function pidOf(c: RunningContainer, program: string): Promise<number | undefined> {
  const { exitCode, output } = await execIn(c.container, ['pidof', program]);
  return exitCode === 0 ? Number(output.trim().split(/\s+/)[0]) : undefined;
}

/** Waits for the container to exit; resolves with its exit code and how long that took from `since`. */
export async function waitExit(c: RunningContainer, timeoutMs: number): Promise<{ code: number; ms: number }> {
  const { value, ms } = await waitFor(
    'container exit',
    async () => {
      const { State } = await c.container.inspect();
      return State.Running ? undefined : State.ExitCode;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return { code: value, ms };
}

export function expectLogLines(logs: string, ...patterns: RegExp[]): void {
  for (const p of patterns) expect(logs, `logs should match ${p}`).toMatch(p);
}
