import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import { layoutDigest, nxTasks } from './nx-tasks';
import { cloneWorkspace, guardDaemonTags, type WorkspaceClone } from './workspace-clone';

// `nx g @microbox/nx-microbox:service` in a temporary clone of this
// workspace: the new service's image is written and loaded into the daemon
// with nx, and serves its KV value from a real Consul, with nothing
// registered anywhere.

const NAME = `gen-e2e-${process.pid}`;
const COPY = `${NAME}-copy`;

let ws: WorkspaceClone;
let stack: Stack;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;

beforeAll(async () => {
  ws = cloneWorkspace('service-generator');
  stack = await Stack.up('e2e-service-generator');
  guard = await guardDaemonTags(stack.engine, [NAME, COPY], ws.ownTags);
});
afterAll(async () => {
  await stack?.down();
  // What a failed run loaded is undone too: its record names it.
  const record = ws?.records()[NAME];
  if (record) guard?.built([record.id]);
  await guard?.restore();
  ws?.cleanup();
});

const clean = () => ws.git('status', '--porcelain');

describe('the service generator', () => {
  it('shows what it would write with --dry-run, and writes nothing', () => {
    const out = ws.nx('g', '@microbox/nx-microbox:service', NAME, '--dry-run');
    for (const f of ['main.go', 'config.go', 'handlers.go', 'handlers_test.go', 'README.md', 'consul/config.json.ctmpl', 'project.json', `e2e/${NAME}.e2e.ts`]) {
      expect(out).toContain(`CREATE apps/${NAME}/${f}`);
    }
    expect(clean()).toBe('');
  });

  it('refuses a taken or invalid name with a clear error, and writes nothing', () => {
    const taken = ws.nxStatus('g', '@microbox/nx-microbox:service', 'greeter');
    expect(taken.status).not.toBe(0);
    expect(taken.output).toContain('cannot add service "greeter": apps/greeter exists already: pick another name; nothing was written');
    const invalid = ws.nxStatus('g', '@microbox/nx-microbox:service', 'My_Service');
    expect(invalid.status).not.toBe(0);
    expect(invalid.output).toContain('service name "My_Service" is not usable as an image and user-facing name');
    expect(clean()).toBe('');
  });

  it('adds a service that passes its Go tests and builds into an image in the daemon with nx', () => {
    ws.nx('g', '@microbox/nx-microbox:service', NAME);
    ws.commit(`add ${NAME}`);
    ws.nx('run-many', '-t', 'go-test', 'go-vet', '-p', NAME, '--outputStyle=static');
    const out = ws.nx('run', `${NAME}:image`, '--outputStyle=static');
    const record = ws.records()[NAME];
    guard.built([record.id]);
    expect(record.tags).toContain(`${NAME}:latest`);
    const tasks = nxTasks(out);
    expect(tasks.get(`${NAME}:layout`)?.cache, 'its layout was written, not taken from a cache').toBeUndefined();
    expect(layoutDigest(NAME, tasks.get(`${NAME}:layout`)?.output ?? '')).toBe(record.manifest.digest);
    expect(tasks.get(`${NAME}:image`)?.output).toMatch(new RegExp(`^${NAME}: ${record.id.slice(0, 19)} loaded into the daemon`, 'm'));
  });

  it('runs against a real Consul: /healthz 200, the KV default, then a KV change', async () => {
    await stack.startConsul();
    const svc = await stack.startService(`${NAME}:latest`, NAME);
    const message = async () => {
      const { status, body } = await httpGet(`${svc.url}/message`);
      return status === 200 ? (JSON.parse(body) as { message: string }).message : undefined;
    };
    await waitFor('the default message', async () => ((await message()) === `Hello from ${NAME}` ? true : undefined), { timeoutMs: 20_000 });
    expect((await httpGet(`${svc.url}/healthz`)).status).toBe(200);
    await stack.consulClient().kv.set(`${NAME}/message`, 'from KV');
    const { ms } = await waitFor('the KV value', async () => ((await message()) === 'from KV' ? true : undefined), { timeoutMs: 5_000, intervalMs: 20 });
    console.log(`${NAME}: KV change served ${ms} ms after the PUT`);
  });

  it("passes its own generated end-to-end tests through nx", () => {
    const out = ws.nx('run', `${NAME}:e2e`, '--outputStyle=static');
    expect(out).toMatch(/Tests\s+2 passed/);
  });

  it('is copied to a new folder as a new project with every target; the copy needs only its service name changed', () => {
    cpSync(join(ws.dir, 'apps', NAME), join(ws.dir, 'apps', COPY), { recursive: true });
    const main = join(ws.dir, 'apps', COPY, 'main.go');
    writeFileSync(main, readFileSync(main, 'utf8').replace(`const serviceName = "${NAME}"`, `const serviceName = "${COPY}"`));
    const project = JSON.parse(ws.nx('show', 'project', COPY, '--json')) as { root: string; targets: Record<string, unknown> };
    expect(project.root).toBe(`apps/${COPY}`);
    expect(Object.keys(project.targets).sort()).toEqual(['e2e', 'go-build', 'go-test', 'go-vet', 'image', 'layout', 'push']);
    ws.nx('run', `${COPY}:go-vet`, '--outputStyle=static');
  });

  it('with --reload=restart, sets the templates of the layout target, which the layout executor reads', () => {
    const restart = `${NAME}-restart`;
    ws.nx('g', '@microbox/nx-microbox:service', restart, '--reload=restart');
    const project = JSON.parse(ws.nx('show', 'project', restart, '--json')) as { targets: Record<string, { executor?: string; options?: Record<string, unknown> }> };
    expect(project.targets.layout?.executor).toBe('@microbox/nx-microbox:service-layout');
    expect(project.targets.layout?.options?.templates).toEqual([{ source: 'consul/config.json.ctmpl', reload: 'restart' }]);
    expect(project.targets.image?.options?.templates).toBeUndefined();
  });
});
