import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../../../libs/stack/src/containers';
import { requestLoop } from '../../../libs/stack/src/request-loop';
import { Stack } from '../../../libs/stack/src/stack';
import { consulHasLeader } from '../../../libs/stack/src/consul-container';
import { waitFor } from '../../../libs/stack/src/wait';
import {
  expectLogLines,
  GREETER_IMAGE,
  greeting,
  pidOf,
  READ_ONLY,
  requireGreeterImage,
  waitForGreeting,
  waitHealthy,
} from './greeter-stack';

// The run-time contract, once with a writable root and once read-only
// (--read-only --tmpfs /run --tmpfs /tmp): everything must hold in both.
describe.each([
  { mode: 'writable root', options: {} },
  { mode: 'read-only root', options: READ_ONLY },
])('greeter against a real Consul ($mode)', ({ mode, options }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.up(`e2e-greeter-${mode.split(' ')[0]}`);
    await requireGreeterImage(stack);
    await stack.startConsul();
  });
  afterAll(async () => stack?.down());

  it('serves the KV value, and a new one within 0.5 s of the PUT, with no restart and no failed request', async () => {
    const kv = stack.consulClient().kv;
    await kv.set('greeter/greeting', 'Bonjour');
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter', options);
    await waitForGreeting(greeter, 'Bonjour, Ann!', 15_000);
    const before = await greeter.container.inspect();
    const appPid = await pidOf(greeter, 'greeter');

    const loop = requestLoop(`${greeter.url}/greet?name=Ann`);
    const putAt = Date.now();
    await kv.set('greeter/greeting', 'Hola');
    await waitForGreeting(greeter, 'Hola, Ann!', 5_000, 5);
    const ms = Date.now() - putAt;
    // Watch for a fixed time after the switch: no failure, no going back.
    await new Promise((r) => setTimeout(r, 200));
    const { total, failures, bodies } = await loop.stop();

    console.log(`[${mode}] KV change served ${ms} ms after the PUT; ${total} requests meanwhile, ${failures.length} failed`);
    expect(ms).toBeLessThan(500);
    expect(failures).toEqual([]);
    expect(bodies.map((b) => JSON.parse(b).greeting)).toEqual(['Bonjour, Ann!', 'Hola, Ann!']);
    const after = await greeter.container.inspect();
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(0);
    // Reloaded by SIGHUP, not restarted by s6.
    expect(await pidOf(greeter, 'greeter')).toBe(appPid);
  });

  it('restarts a killed app within 1.5 s while consul-template keeps its pid', async () => {
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter-kill', options);
    await waitHealthy(greeter, 15_000);
    const app = await pidOf(greeter, 'greeter');
    const consulTemplate = await pidOf(greeter, 'consul-template');
    expect(app).toBeGreaterThan(1);

    const killedAt = Date.now();
    expect((await execIn(greeter.container, ['kill', '-9', String(app)])).exitCode).toBe(0);
    const { value: newPid } = await waitFor(
      'a new app process, healthy',
      async () => {
        const pid = await pidOf(greeter, 'greeter');
        if (!pid || pid === app) return undefined;
        return (await fetch(`${greeter.url}/healthz`, { signal: AbortSignal.timeout(500) })).status === 200 ? pid : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    const ms = Date.now() - killedAt;
    console.log(`[${mode}] app killed: healthy again after ${ms} ms (pid ${app} -> ${newPid})`);
    expect(ms).toBeLessThan(1500);
    expect(await pidOf(greeter, 'consul-template')).toBe(consulTemplate);
    expect((await greeter.container.inspect()).State.Running).toBe(true);
  });

  it('keeps serving while Consul restarts, then picks up a KV change made after', async () => {
    const kv = stack.consulClient().kv;
    await kv.set('greeter/greeting', 'Before');
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter-restart', options);
    await waitForGreeting(greeter, 'Before, Ann!', 15_000);

    const loop = requestLoop(`${greeter.url}/greet?name=Ann`);
    await stack.consul!.container.restart({ t: 2 });
    await waitFor('consul leader after restart', () => consulHasLeader(stack.consul!.url!), { timeoutMs: 30_000 });
    const { total, failures, bodies } = await loop.stop();
    expect(failures).toEqual([]);
    expect(total).toBeGreaterThan(10);
    expect(bodies.map((b) => JSON.parse(b).greeting)).toEqual(['Before, Ann!']);

    const putAt = Date.now();
    await stack.consulClient().kv.set('greeter/greeting', 'After');
    await waitForGreeting(greeter, 'After, Ann!', 10_000);
    console.log(`[${mode}] after a Consul restart: ${total} requests served with the last good config, 0 failed; new value served ${Date.now() - putAt} ms after the PUT`);
  });

  it('stops on docker stop with exit code 0 within 2 s, both services on SIGTERM, and leaves the catalog', async () => {
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter-stop', options);
    await waitHealthy(greeter, 15_000);
    const health = stack.consulClient().health;
    const id = async () => (await health.service({ service: 'greeter', passing: true }) as { Service: { ID: string } }[]).map((s) => s.Service.ID);
    const hostname = (await greeter.container.inspect()).Config.Hostname;
    await waitFor('greeter passing in Consul', async () => ((await id()).some((i) => i.includes(hostname)) ? true : undefined), { timeoutMs: 10_000 });

    const stopAt = Date.now();
    await greeter.container.stop({ t: 10 });
    const ms = Date.now() - stopAt;
    const { State } = await greeter.container.inspect();
    console.log(`[${mode}] docker stop took ${ms} ms, exit code ${State.ExitCode}`);
    expect(State.ExitCode).toBe(0);
    expect(ms).toBeLessThan(2000);
    expectLogLines(await stack.logs(greeter), /msg=stopping .*terminated signal/, /consul-template: stopped on SIGTERM/, /app: greeter exited with code 0/);
    const all = (await stack.consulClient().catalog.service.nodes('greeter')) as { ServiceID: string }[];
    expect(all.map((s) => s.ServiceID).filter((i) => i.includes(hostname))).toEqual([]);
  });

  it('runs the app as the non-root user, and the root is as writable as the mode says', async () => {
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter-user', options);
    await waitHealthy(greeter, 15_000);
    const ps = await execIn(greeter.container, ['ps', '-o', 'user,comm']);
    expect(ps.output).toMatch(/^app\s+greeter$/m);
    expect(ps.output).toMatch(/^root\s+s6-svscan$/m);
    const pid = await pidOf(greeter, 's6-svscan');
    expect(pid).toBe(1);
    const etc = await execIn(greeter.container, ['touch', '/etc/probe']);
    const run = await execIn(greeter.container, ['touch', '/run/probe', '/tmp/probe']);
    expect(run.exitCode).toBe(0);
    if (options === READ_ONLY) expect(etc.output).toMatch(/Read-only file system/);
    else expect(etc.exitCode).toBe(0);
  });
});

describe('greeter started before Consul', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.up('e2e-greeter-early');
    await requireGreeterImage(stack);
  });
  afterAll(async () => stack?.down());

  it('becomes healthy within 2 s of Consul appearing', async () => {
    const greeter = await stack.startService(GREETER_IMAGE, 'greeter', { env: { CONFIG_WAIT: '2m' } });
    await waitFor('app waiting for its config', async () => ((await stack.logs(greeter)).includes('app: waiting for consul-template') ? true : undefined), { timeoutMs: 10_000 });
    // consul-template keeps trying past the 12 tries after which its defaults give up (each try
    // after the first is logged as a "retry attempt"; attempt 12 is the last a default makes).
    await waitFor('consul-template retrying past its default 12 tries', async () => (/\(retry attempt 13 after/.test(await stack.logs(greeter)) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(await greeting(greeter).catch(() => undefined)).toBeUndefined();

    await stack.startConsul();
    const appearedAt = Date.now();
    await waitHealthy(greeter, 10_000);
    const ms = Date.now() - appearedAt;
    console.log(`greeter healthy ${ms} ms after Consul had a leader`);
    expect(ms).toBeLessThan(2000);
    expect(await greeting(greeter)).toBe('Hello, Ann!');
  });
});
