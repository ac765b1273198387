import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execIn, type RunningContainer } from '../../../libs/stack/src/containers';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import {
  ask,
  firstSample,
  GATEWAY_IMAGE,
  requireImages,
  sampler,
  seconds,
  servedBy,
  startGreeter,
  waitForRotation,
  type Replica,
  type Sample,
} from './gateway-stack';

// Service discovery on a real Docker network: Consul (the bootstrap's binary,
// in a container, alias `consul`), gateway and greeter replicas all on one
// user-defined network; the test reaches gateway on 127.0.0.1. Each test
// starts replicas of its own (distinct aliases) after stopping the last
// test's, so a failure does not leak into the next.
describe('gateway in front of greeter replicas, found through Consul', () => {
  let stack: Stack;
  let gateway: RunningContainer;
  let url: string;
  let replicas: Replica[] = [];
  let gatewayPid: string;
  let failed = false;

  const pidOfGateway = async () => (await execIn(gateway.container, ['pidof', 'gateway'])).output.trim();

  /** Stops the replicas there are, starts `aliases`, and waits until the gateway routes to exactly those. */
  async function only(...aliases: string[]): Promise<Replica[]> {
    // docker stop: greeter deregisters itself on SIGTERM, so it leaves the catalog at once.
    await Promise.all(replicas.map((r) => r.container.stop({ t: 2 }).catch(() => undefined)));
    replicas = await Promise.all(aliases.map((a) => startGreeter(stack, a)));
    await waitForRotation(url, replicas, 20_000);
    return replicas;
  }

  beforeAll(async () => {
    stack = await Stack.up('e2e-gateway');
    await requireImages(stack);
    const { Size } = await stack.engine.docker.getImage(GATEWAY_IMAGE).inspect();
    console.log(`gateway image: ${(Size / 1e6).toFixed(2)} MB uncompressed`);
    await stack.startConsul();
    gateway = await stack.startService(GATEWAY_IMAGE, 'gateway');
    url = gateway.url!;
    // Healthy once consul-template has rendered the list, empty as it is.
    await waitFor('gateway /healthz 200', async () => ((await httpGet(`${url}/healthz`)).status === 200 ? true : undefined), { timeoutMs: 20_000, intervalMs: 50 });
    gatewayPid = await pidOfGateway();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
  afterAll(async () => {
    // What the gateway saw (upstream lists, retries) explains most failures.
    if (gateway && failed) console.log(`gateway's logs:\n${await stack.logs(gateway)}`);
    await stack?.down();
  });

  it('spreads requests over two replicas, each registered with its own id and its address on the network', async () => {
    const [a, b] = await only('greeter-1a', 'greeter-1b');
    const count: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const s = await ask(url);
      expect(s.status, s.error).toBe(200);
      count[s.instance!] = (count[s.instance!] ?? 0) + 1;
    }
    console.log(`of 100 requests: ${a.alias} served ${count[a.instance] ?? 0}, ${b.alias} ${count[b.instance] ?? 0}`);
    expect(count[a.instance]).toBeGreaterThanOrEqual(30);
    expect(count[b.instance]).toBeGreaterThanOrEqual(30);

    const listed = (await stack.consulClient().health.service({ service: 'greeter', passing: true })) as { Service: { ID: string; Address: string; Port: number } }[];
    for (const r of [a, b]) {
      const mine = listed.filter((s) => s.Service.ID.includes(r.instance));
      expect(mine.map((s) => [s.Service.ID, s.Service.Address, s.Service.Port])).toEqual([[`greeter-${r.instance}-8080`, r.ip, 8080]]);
    }
  });

  it('sends everything to the survivor within 3 s of one replica stopping, with no failure after', async () => {
    const [survivor, stopped] = await only('greeter-2a', 'greeter-2b');
    const loop = sampler(url);
    try {
      // The stop is timed from a rotation that is seen to hold both.
      for (const r of [survivor, stopped]) await firstSample(loop.samples, 0, `a request served by ${r.alias}`, (s) => servedBy(s, r.instance), 5_000);
      const stopAt = Date.now();
      await stopped.container.stop({ t: 2 });
      const stopTook = Date.now() - stopAt;
      // Watch for a fixed time well past the bound, so "no failure after" means something.
      await new Promise((r) => setTimeout(r, Math.max(0, stopAt + 4_500 - Date.now())));
      const samples = await loop.stop();
      const after = samples.filter((s) => s.end >= stopAt);
      const notSurvivor = after.filter((s) => !servedBy(s, survivor.instance));
      const switchMs = notSurvivor.length ? Math.max(...notSurvivor.map((s) => s.end)) - stopAt : 0;
      const failed = after.filter((s) => s.status !== 200);
      console.log(
        `replica stopped (docker stop ${stopTook} ms): every request served by the survivor ${seconds(switchMs)} after the stop; ` +
          `${after.length} requests since the stop, ${notSurvivor.length - failed.length} answered by the stopping replica, ${failed.length} failed`,
      );
      expect(switchMs).toBeLessThan(3_000);
      expect(after.filter((s) => s.end > stopAt + switchMs).length).toBeGreaterThan(50);
    } finally {
      await loop.stop();
    }
  });

  it('routes to a third replica within 3 s of its start', async () => {
    const [a, b] = await only('greeter-3a', 'greeter-3b');
    const loop = sampler(url);
    try {
      const startAt = Date.now();
      const c = await startGreeter(stack, 'greeter-3c');
      replicas.push(c);
      const first = await firstSample(loop.samples, startAt, 'a request served by greeter-3c', (s) => servedBy(s, c.instance), 10_000);
      const ms = first.end - startAt;
      const rotation = await waitForRotation(url, [a, b, c], 5_000);
      const samples = await loop.stop();
      const failed = samples.filter((s) => s.start >= startAt && s.status !== 200);
      console.log(`third replica: first request served ${seconds(ms)} after docker create+start; all three in rotation right after (${rotation} ms more); ${failed.length} failed meanwhile`);
      expect(ms).toBeLessThan(3_000);
      expect(failed).toEqual([]);
      // Reloaded by SIGHUP from consul-template, not restarted: same process, and it says so.
      expect(await pidOfGateway()).toBe(gatewayPid);
      const logs = await stack.logs(gateway);
      expect(logs).toMatch(/config reloaded on SIGHUP/);
      expect(logs).toMatch(new RegExp(`msg="upstreams loaded" service=gateway count=3 .*greeter-${c.instance}-8080`));
    } finally {
      await loop.stop();
    }
  });

  it('answers 503 within 3 s of every replica being killed, never hanging, and recovers within 3 s of one coming back', async () => {
    const killed = await only('greeter-4a', 'greeter-4b');
    const loop = sampler(url);
    try {
      const killAt = Date.now();
      // SIGKILL: no deregistration; Consul's check (1 s interval, 0.5 s timeout) has to notice.
      await Promise.all(killed.map((r) => r.container.kill()));
      const first503 = await firstSample(loop.samples, killAt, 'a 503', (s) => s.status === 503, 10_000);
      const empty = await firstSample(loop.samples, killAt, 'a 503 for an empty list', (s) => s.status === 503 && /no healthy greeter upstream/.test(s.error!), 10_000);
      console.log(`all killed: first 503 ${seconds(first503.end - killAt)} after the kill (${first503.error}); Consul's list empty in gateway ${seconds(empty.end - killAt)} after`);
      expect(first503.end - killAt).toBeLessThan(3_000);

      const backAt = Date.now();
      const back = await startGreeter(stack, 'greeter-4c');
      replicas = [back];
      const recovered = await firstSample(loop.samples, backAt, 'a 200 again', (s) => servedBy(s, back.instance), 10_000);
      const samples = await loop.stop();
      const slowest = Math.max(...samples.map((s) => s.end - s.start));
      const odd = samples.filter((s) => s.status !== 200 && s.status !== 503);
      console.log(`recovered: served again ${seconds(recovered.end - backAt)} after docker create+start of a new replica; slowest request meanwhile ${slowest} ms`);
      expect(recovered.end - backAt).toBeLessThan(3_000);
      // Never hangs: the gateway's own bound is 3 tries of at most 1 s.
      expect(slowest).toBeLessThan(3_500);
      expect(odd).toEqual([]);

      // A killed replica is not deregistered: its registration stays in Consul, critical, for a
      // minute. Docker may give its address to the new one; its check must not pass through it.
      // So wait until such a check has reached the newcomer (an HTTP answer, not a timeout), as
      // the agent saw it: the catalog defers a change of output alone (check_update_interval).
      const reusedBy = killed.filter((r) => r.ip === back.ip);
      for (const old of reusedBy) {
        await waitFor(
          `${old.alias}'s check answered by ${back.alias} at ${back.ip}`,
          async () => {
            const checks = Object.values((await stack.consulClient().agent.checks()) as Record<string, { ServiceID: string; Output: string }>);
            return checks.some((c) => c.ServiceID === `greeter-${old.instance}-8080` && /^HTTP GET \S+: \d{3} /.test(c.Output)) ? true : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 100 },
        );
      }
      const reused = reusedBy.length ? 'yes' : 'no';
      const passing = (await stack.consulClient().health.service({ service: 'greeter', passing: true })) as { Service: { ID: string } }[];
      console.log(`after recovery Consul lists as passing: ${passing.map((s) => s.Service.ID).join(', ')} (new replica on a killed one's address: ${reused})`);
      expect(passing.map((s) => s.Service.ID)).toEqual([`greeter-${back.instance}-8080`]);
    } finally {
      await loop.stop();
    }
  });

  it('takes a replica whose health check fails out of rotation, and back when it passes again', async () => {
    const [healthy, sick] = await only('greeter-5a', 'greeter-5b');
    const loop = sampler(url);
    try {
      const failAt = Date.now();
      const res = await fetch(`${sick.url}/admin/health?fail=true`, { method: 'POST' });
      expect(res.status).toBe(200);
      // Out of rotation: 20 requests in a row served by the healthy one.
      const out = await waitFor(
        'greeter-5b out of rotation',
        async () => {
          const recent = loop.samples.filter((s) => s.end >= failAt).slice(-20);
          return recent.length === 20 && recent.every((s) => servedBy(s, healthy.instance)) ? recent[0].start : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      // Watch for a fixed time: nothing may reach it while out.
      await new Promise((r) => setTimeout(r, 1_500));
      const sinceOut = loop.samples.filter((s) => s.start >= out.value);
      expect(sinceOut.filter((s) => !servedBy(s, healthy.instance))).toEqual([] as Sample[]);

      const clearAt = Date.now();
      await fetch(`${sick.url}/admin/health?fail=false`, { method: 'POST' });
      const back = await firstSample(loop.samples, clearAt, 'greeter-5b back in rotation', (s) => servedBy(s, sick.instance), 10_000);
      const samples = await loop.stop();
      console.log(
        `health switch: out of rotation ${seconds(out.value - failAt)} after /admin/health?fail=true (${sinceOut.length} requests after, none to it); ` +
          `back ${seconds(back.end - clearAt)} after fail=false; ${samples.filter((s) => s.status !== 200).length} failed`,
      );
      expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    } finally {
      await loop.stop();
    }
  });
});
