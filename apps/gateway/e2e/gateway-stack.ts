import { imageExists } from '../../../libs/image/src/daemon';
import type { RunningContainer } from '../../../libs/stack/src/containers';
import type { Stack } from '../../../libs/stack/src/stack';
import { waitFor } from '../../../libs/stack/src/wait';

export const GATEWAY_IMAGE = 'gateway:latest';
export const GREETER_IMAGE = 'greeter:latest';

/** The e2e target builds both (apps/gateway/project.json); run alone, the test says what is missing. */
export async function requireImages(stack: Stack): Promise<void> {
  for (const [image, project] of [[GATEWAY_IMAGE, 'gateway'], [GREETER_IMAGE, 'greeter']]) {
    if (!(await imageExists(stack.engine, image))) {
      throw new Error(`${image} is not in the daemon: run \`nx run ${project}:image\` (or \`nx run gateway:e2e\`, which builds both)`);
    }
  }
}

/** A greeter replica; `instance` is what it answers as (its hostname, the container id's start), `ip` its address on the stack's network. */
export interface Replica extends RunningContainer {
  alias: string;
  instance: string;
  ip: string;
}

export async function startGreeter(stack: Stack, alias: string): Promise<Replica> {
  const c = await stack.startService(GREETER_IMAGE, alias);
  const { Config, NetworkSettings } = await c.container.inspect();
  return { ...c, alias, instance: Config.Hostname, ip: NetworkSettings.Networks[stack.network].IPAddress };
}

/** One request through the gateway, timed; a 503's body is kept as `error`. */
export interface Sample {
  start: number;
  end: number;
  status?: number;
  instance?: string;
  error?: string;
}

/**
 * The client's own timeout is well above the gateway's bound for one request
 * (3 tries of at most 1 s), so a gateway that hung would show as a slow
 * sample, not be hidden by the client giving up first.
 */
const CLIENT_TIMEOUT_MS = 5_000;

export async function ask(gateway: string): Promise<Sample> {
  const start = Date.now();
  try {
    const res = await fetch(`${gateway}/api/greet?name=e2e`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    const body = await res.text();
    const end = Date.now();
    if (res.status !== 200) return { start, end, status: res.status, error: body.trim() };
    return { start, end, status: 200, instance: (JSON.parse(body) as { instance: string }).instance };
  } catch (err) {
    return { start, end: Date.now(), error: (err as Error).message };
  }
}

export const servedBy = (s: Sample, instance: string): boolean => s.status === 200 && s.instance === instance;

/** Requests one after another, each kept, until stopped (at most `maxMs`). */
export function sampler(gateway: string, maxMs = 30_000): { samples: Sample[]; stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const until = Date.now() + maxMs;
  const done = (async () => {
    while (running && Date.now() < until) samples.push(await ask(gateway));
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
      return samples;
    },
  };
}

/** Polls the growing `samples` until one ending at or after `since` matches; resolves with it. */
export async function firstSample(samples: Sample[], since: number, what: string, match: (s: Sample) => boolean, timeoutMs: number): Promise<Sample> {
  return (await waitFor(what, async () => samples.find((s) => s.end >= since && match(s)), { timeoutMs, intervalMs: 10 })).value;
}

/**
 * Waits until the gateway's rotation is exactly `replicas`: enough requests
 * in a row (round robin visits each replica every n) all answered, by those
 * replicas only, each of them seen. Resolves with the time it took.
 */
export async function waitForRotation(gateway: string, replicas: Replica[], timeoutMs: number): Promise<number> {
  const want = new Set(replicas.map((r) => r.instance));
  const window = 3 * want.size + 2;
  const recent: Sample[] = [];
  return (
    await waitFor(
      `gateway rotation = ${replicas.map((r) => r.alias).join(', ')}`,
      async () => {
        recent.push(await ask(gateway));
        if (recent.length > window) recent.shift();
        const seen = new Set(recent.map((s) => s.instance));
        const ok = recent.length === window && recent.every((s) => s.status === 200 && want.has(s.instance!)) && seen.size === want.size;
        return ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 0 },
    )
  ).ms;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
