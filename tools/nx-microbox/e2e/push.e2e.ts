import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageExists } from '../../../libs/image/src/daemon';
import { freePort } from '../../../libs/stack/src/free-port';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import { startRegistry, TEST_USER, type LocalRegistry } from './registry';
import { cloneWorkspace, guardDaemonTags, type WorkspaceClone } from './workspace-clone';

// `nx run greeter:push` in a temporary clone, to a real registry (Debian's
// docker-registry) on a loopback port: pushed, pushed again with no layer
// uploaded twice, removed from the daemon, pulled back and run.

let ws: WorkspaceClone;
let stack: Stack;
let registry: LocalRegistry;
let authRegistry: LocalRegistry;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;
let dockerConfig: string;

beforeAll(async () => {
  ws = cloneWorkspace('push');
  // A commit of its own stamps greeter's binary, so its top layer is one
  // no other image in this daemon has: pulling it back must fetch it.
  appendFileSync(join(ws.dir, 'apps/greeter/main.go'), '\n// pushed by the push e2e test\n');
  ws.commit('greeter: a change of its own');
  dockerConfig = mkdtempSync(join(tmpdir(), 'e2e-docker-config-'));
  ws.env.DOCKER_CONFIG = dockerConfig;
  stack = await Stack.up('e2e-push');
  registry = await startRegistry();
  authRegistry = await startRegistry({ auth: true });
  guard = await guardDaemonTags(stack.engine, ['greeter', `${registry.host}/greeter`, `${authRegistry.host}/greeter`], [ws.baseboxTag]);
});
afterAll(async () => {
  await stack?.down();
  if (ws) guard?.built(Object.values(ws.records()).map((r) => r.id));
  await guard?.restore();
  await registry?.stop();
  await authRegistry?.stop();
  if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true });
  ws?.cleanup();
});

/** Layer lines of a push's output: `<short id>: <final status>`. */
function layerStatuses(output: string, reference: string): string[] {
  const part = output.split(`pushing ${reference}`)[1]?.split(`pushed ${reference}`)[0] ?? '';
  return [...part.matchAll(/^\s+([0-9a-f]{12}): (Pushed|Layer already exists|Mounted from .*)$/gm)].map((m) => m[2]);
}

describe('push to a real registry', () => {
  let latest: string;

  it('pushes every tag of greeter, then pushes again without uploading a layer twice', () => {
    ws.env.MICROBOX_REGISTRY = registry.host;
    const first = ws.nx('run', 'greeter:push', '--outputStyle=static');
    const record = ws.records().greeter;
    guard.built([record.id]);
    latest = `${registry.host}/greeter:latest`;
    const revision = `${registry.host}/${record.tags[1]}`;
    expect(first).toContain(`greeter: pushing ${record.id.slice(0, 19)} (${record.tags.join(', ')}) to ${registry.host}, anonymously`);
    const firstLayers = layerStatuses(first, latest);
    expect(firstLayers.length).toBeGreaterThan(3);
    expect(firstLayers).toContain('Pushed');
    // The second tag of the same image finds every layer there already.
    expect(layerStatuses(first, revision).every((s) => s === 'Layer already exists')).toBe(true);

    const again = ws.nx('run', 'greeter:push', '--outputStyle=static');
    const againLayers = layerStatuses(again, latest);
    expect(againLayers).toHaveLength(firstLayers.length);
    expect(againLayers.every((s) => s === 'Layer already exists')).toBe(true);
    expect(again).toMatch(new RegExp(`greeter: ${latest.replace(/\./g, '\\.')} sha256:[0-9a-f]{64}: 0 of ${firstLayers.length} layers uploaded`));
  });

  it('is removed from the daemon, pulled back from the registry, and serves', async () => {
    const { id } = ws.records().greeter;
    const engine = stack.engine;
    // greeter:latest goes back to the workspace's own image; every other name of this one goes.
    await guard.putBackTags();
    if (await imageExists(engine, id)) await engine.docker.getImage(id).remove({ force: true });
    expect(await imageExists(engine, id)).toBe(false);

    const statuses: string[] = [];
    const stream = await engine.docker.pull(latest);
    await new Promise<void>((resolve, reject) =>
      engine.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), (e: { status?: string }) => e.status && statuses.push(e.status)),
    );
    // The binary layer was nowhere but in the registry.
    expect(statuses).toContain('Pull complete');
    expect(await imageExists(engine, latest)).toBe(true);

    await stack.startConsul();
    const greeter = await stack.startService(latest, 'greeter');
    await waitFor('greeter pulled back, greeting', async () => ((await httpGet(`${greeter.url}/greet?name=Ann`)).body.includes('Hello, Ann!') ? true : undefined), {
      timeoutMs: 20_000,
    });
  });

  it('says in one line when the registry is down', async () => {
    ws.env.MICROBOX_REGISTRY = `127.0.0.1:${await freePort()}`;
    const { status, output } = ws.nxStatus('run', 'greeter:push', '--outputStyle=static');
    expect(status).not.toBe(0);
    expect(output).toMatch(new RegExp(`greeter:push: push of ${ws.env.MICROBOX_REGISTRY}/greeter:latest failed: the registry ${ws.env.MICROBOX_REGISTRY} refuses connections \\(is it running\\?\\)`));
  });

  it('refuses a bad reference before tagging anything, naming the value and the fix', async () => {
    ws.env.MICROBOX_REGISTRY = `${registry.host}/Team`;
    const { status, output } = ws.nxStatus('run', 'greeter:push', '--outputStyle=static');
    expect(status).not.toBe(0);
    expect(output).toContain(`greeter:push: MICROBOX_REGISTRY="${registry.host}/Team": namespace part "Team" is not valid: use lower-case letters and digits`);
    ws.env.MICROBOX_REGISTRY = 'registry';
    expect(ws.nxStatus('run', 'greeter:push', '--outputStyle=static').output).toContain('"registry" has no dot and no port, so Docker would take it for a Docker Hub namespace');
    const tagged = (await stack.engine.docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => /\/Team\/|^registry\//.test(t));
    expect(tagged).toEqual([]);
  });

  it('reads credentials from the Docker config file, and says when they are missing or refused', () => {
    ws.env.MICROBOX_REGISTRY = authRegistry.host;
    const anonymous = ws.nxStatus('run', 'greeter:push', '--outputStyle=static');
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.output).toContain(`no credentials for ${authRegistry.host} in the Docker config file: run \`docker login ${authRegistry.host}\``);

    const auth = (password: string) =>
      writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [authRegistry.host]: { auth: Buffer.from(`${TEST_USER.username}:${password}`).toString('base64') } } }));
    auth('wrong');
    const refused = ws.nxStatus('run', 'greeter:push', '--outputStyle=static');
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(`the credentials for ${authRegistry.host} in the Docker config file were refused`);

    auth(TEST_USER.password);
    const out = ws.nx('run', 'greeter:push', '--outputStyle=static');
    expect(out).toContain(`to ${authRegistry.host}, as ci from ${join(dockerConfig, 'config.json')}`);
    expect(out).toMatch(/pushed 127\.0\.0\.1:\d+\/greeter:latest sha256:/);
  });
});
