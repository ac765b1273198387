import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../libs/image/src/blob-store';
import { imageExists, loadIntoDaemon } from '../../../libs/image/src/daemon';
import { readImage } from '../../../libs/image/src/image';
import { completeLayout } from '../../../libs/image/src/layout-record';
import { type BuildRecord, formatMB, readRecord } from '../../../libs/image/src/record';
import { tarEntries } from '../../../libs/image/src/tar-entries';
import { buildServiceImage } from '../../../libs/service-image/src/build';
import { resolveServiceSpec } from '../../../libs/service-image/src/resolve-spec';
import { containerLogs, execIn, type RunningContainer } from '../../../libs/stack/src/containers';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import { grpcHealth } from './grpc-health';

// catalog is a service brought in from elsewhere: its own go.mod, its own
// ports (gRPC 3550, HTTP 8080), files read from its working directory, no
// Consul config and no SIGHUP handling. Its image is built by
// `nx run catalog:image` (the e2e target depends on it) from
// apps/catalog/project.json: files products.json, templates/, static/.

const IMAGE = 'catalog:latest';
const ROOT = new URL('../../../', import.meta.url).pathname;
const SERVICE_DIR = join(ROOT, 'apps/catalog');
const SHIPPED = ['products.json', 'templates', 'static'];
const READ_ONLY = { readOnly: true, tmpfs: { '/run': 'rw,nosuid,nodev,size=16m', '/tmp': 'rw,nosuid,nodev,size=16m' } };

async function record(name: string): Promise<BuildRecord> {
  const found = await readRecord(join(ROOT, `dist/images/${name}.json`));
  if (!found) throw new Error(`no build record at dist/images/${name}.json: run \`nx run ${name === 'basebox' ? 'basebox' : 'catalog'}:image\` (the e2e target depends on it)`);
  return found;
}

/** Every file the project lists, relative to the service folder. */
function listedFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (statSync(join(SERVICE_DIR, rel)).isDirectory()) for (const name of readdirSync(join(SERVICE_DIR, rel))) walk(`${rel}/${name}`);
    else out.push(rel);
  };
  SHIPPED.forEach(walk);
  return out.sort();
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function fileFrom(container: Docker.Container, path: string): Promise<Buffer> {
  const [entry] = await tarEntries(await container.getArchive({ path }), Infinity);
  if (!entry?.content) throw new Error(`${path} is not a file in the container`);
  return entry.content;
}

/** The container's address on the stack's network: the host reaches a bridge network directly, both ports at once. */
async function addressOf(c: RunningContainer, network: string): Promise<string> {
  return (await c.container.inspect()).NetworkSettings.Networks[network]!.IPAddress;
}

/** Runs `cmd` in the container as `user`; resolves with its exit code and output. */
async function execAs(container: Docker.Container, user: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await container.exec({ Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) });
  // Docker multiplexes stdout and stderr in headed frames.
  container.modem.demuxStream(stream, sink, sink);
  await new Promise((r) => stream.on('end', r));
  return { exitCode: (await exec.inspect()).ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('the catalog image', () => {
  let stack: Stack;
  let created: Docker.Container;
  beforeAll(async () => {
    stack = await Stack.up('e2e-catalog-image');
    if (!(await imageExists(stack.engine, IMAGE))) throw new Error(`${IMAGE} is not in the daemon: run \`nx run catalog:image\` (the e2e target depends on it)`);
    // Created, never started: its filesystem is the image's.
    created = await stack.engine.docker.createContainer({ Image: IMAGE, Labels: { 'dev.microbox.owner': stack.owner } });
  });
  afterAll(async () => stack?.down());

  it('holds every listed file byte for byte (sha256), under its working directory /srv/catalog', async () => {
    const files = listedFiles();
    expect(files).toContain('static/logo.png');
    for (const rel of files) {
      expect(sha256(await fileFrom(created, `/srv/catalog/${rel}`)), rel).toBe(sha256(readFileSync(join(SERVICE_DIR, rel))));
    }
    const config = (await stack.engine.docker.getImage(IMAGE).inspect()).Config;
    expect(config.WorkingDir).toBe('/srv/catalog');
  });

  it('sets no PORT: the service keeps its own defaults; its ports are exposed', async () => {
    const config = (await stack.engine.docker.getImage(IMAGE).inspect()).Config;
    expect((config.Env ?? []).filter((e) => e.startsWith('PORT='))).toEqual([]);
    expect(Object.keys(config.ExposedPorts ?? {}).sort()).toEqual(['3550/tcp', '8080/tcp']);
  });

  it('is on the slim base: no consul-template anywhere in its tree', async () => {
    const paths = (await tarEntries(await created.export())).map((e) => e.path);
    expect(paths.filter((p) => /consul-template/.test(p))).toEqual([]);
    expect(paths).toContain('/etc/s6/app/run');
    const labels = (await stack.engine.docker.getImage(IMAGE).inspect()).Config.Labels ?? {};
    const base = await record('basebox');
    expect(labels['org.opencontainers.image.base.digest']).toBe(base.variants!.slim!.manifest.digest);
    // microbox/basebox:<version>-slim, or -slim beside whatever tag a workspace gives its base.
    expect(labels['org.opencontainers.image.base.name']).toMatch(/[:-]slim$/);
  });

  it('says its size', async () => {
    const own = await record('catalog');
    const daemon = (await stack.engine.docker.getImage(IMAGE).inspect()).Size;
    console.log(`catalog:latest on the slim base: ${formatMB(own.size)} (layers), ${formatMB(own.gzipSize)} gzipped, ${formatMB(daemon)} as the daemon reports it`);
    for (const p of own.parts) console.log(`  ${p.name.padEnd(14)} ${formatMB(p.bytes).padStart(10)}`);
    expect(own.parts.map((p) => p.name)).toEqual(['basebox slim', 's6 scripts', 'files', 'binary']);
  });
});

describe('catalog running with a read-only root', () => {
  let stack: Stack;
  let c: RunningContainer;
  let address: string;
  beforeAll(async () => {
    stack = await Stack.up('e2e-catalog-run');
    c = await stack.startService(IMAGE, 'catalog', { ...READ_ONLY, publish: undefined });
    address = await addressOf(c, stack.network);
    await waitFor('catalog /healthz', async () => ((await httpGet(`http://${address}:8080/healthz`).catch(() => ({ status: 0 }))).status === 200 ? true : undefined), { timeoutMs: 15_000 });
  });
  afterAll(async () => stack?.down());

  it('starts the app at once, with no consul-template, as the app user in /srv/catalog, HOME a folder it can write', async () => {
    const logs = await containerLogs(c.container);
    expect(logs).toContain('app: starting /usr/local/bin/catalog as app in /srv/catalog');
    expect(logs).not.toMatch(/waiting for consul-template|consul-template:/);
    expect((await execIn(c.container, ['ps', '-o', 'user,comm'])).output).toMatch(/app\s+catalog/);
    // As the app's own user: root in a container without CAP_SYS_PTRACE may not read another user's /proc/<pid>/cwd.
    const pid = (await execIn(c.container, ['pidof', 'catalog'])).output.trim();
    expect((await execAs(c.container, 'app', ['readlink', `/proc/${pid}/cwd`])).output.trim()).toBe('/srv/catalog');
    const environ = (await execAs(c.container, 'app', ['cat', `/proc/${pid}/environ`])).output.split('\0');
    expect(environ).toContain('HOME=/run/catalog/home');
    expect(environ.filter((e) => e.startsWith('PORT='))).toEqual([]);
    expect((await execAs(c.container, 'app', ['touch', '/run/catalog/home/probe', '/tmp/probe'])).exitCode).toBe(0);
    expect((await execAs(c.container, 'app', ['touch', '/srv/catalog/probe'])).exitCode).not.toBe(0);
  });

  it('holds each listed file with the mode git records for it (100644 or 100755), whatever the checkout umask', async () => {
    const files = listedFiles();
    const { output } = await execIn(c.container, ['stat', '-c', '%n %a', ...files.map((f) => `/srv/catalog/${f}`)]);
    const staged = execFileSync('git', ['ls-files', '--stage', '--', ...files], { cwd: SERVICE_DIR, encoding: 'utf8' });
    const gitModes = new Map(staged.trim().split('\n').map((line) => [line.split('\t')[1]!, line.split(' ')[0]!.slice(-3)]));
    expect(output.trim().split('\n')).toEqual(files.map((f) => `/srv/catalog/${f} ${gitModes.get(f)}`));
  });

  it('answers gRPC health SERVING on its own port 3550, for the server and for its service', async () => {
    expect(await grpcHealth(`${address}:3550`)).toBe('SERVING');
    expect(await grpcHealth(`${address}:3550`, 'catalog.ProductCatalog')).toBe('SERVING');
  });

  it('serves its HTML page, rendered from templates/ with products.json, and its PNG byte for byte', async () => {
    const products = JSON.parse(readFileSync(join(SERVICE_DIR, 'products.json'), 'utf8')) as { products: { name: string }[] };
    const page = await fetch(`http://${address}:8080/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    for (const p of products.products) expect(html).toContain(p.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    const png = await fetch(`http://${address}:8080/static/logo.png`);
    expect(png.status).toBe(200);
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(readFileSync(join(SERVICE_DIR, 'static/logo.png'))));
  });

  it('stops on docker stop with exit code 0, gracefully', async () => {
    const started = Date.now();
    await c.container.stop({ t: 10 });
    const { State } = await c.container.inspect();
    console.log(`catalog: docker stop took ${Date.now() - started} ms, exit code ${State.ExitCode}`);
    expect(State.ExitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    const logs = await containerLogs(c.container);
    // It handles SIGTERM: a graceful stop, exit 0.
    expect(logs).toContain('catalog stopping');
    expect(logs).toContain('app: catalog exited with code 0');
  });
});

// The same SIGHUP-naive binary and files with a consul-template template
// (restart on a change, the default): the first render, which comes before
// the app starts, must signal nothing, start after start; a KV change must
// restart it cleanly, never kill it.
describe('catalog with a consul-template template', () => {
  const NAME = 'catalog-consul';
  let stack: Stack;
  let tag: string;
  let work: string;
  let withTemplate: BuildRecord;
  beforeAll(async () => {
    stack = await Stack.up('e2e-catalog-consul');
    work = mkdtempSync(join(tmpdir(), 'catalog-consul-'));
    const serviceDir = join(work, NAME);
    mkdirSync(join(serviceDir, 'consul'), { recursive: true });
    for (const f of SHIPPED) cpSync(join(SERVICE_DIR, f), join(serviceDir, f), { recursive: true });
    writeFileSync(join(serviceDir, 'consul/motd.txt.ctmpl'), '{{ keyOrDefault "catalog/motd" "hello" }}\n');
    const built = JSON.parse(readFileSync(join(ROOT, 'dist/apps/catalog/build.json'), 'utf8')) as { primary: string };
    const spec = resolveServiceSpec(NAME, serviceDir, join(ROOT, built.primary), { files: SHIPPED, port: [3550, 8080] });
    expect(spec.templates).toEqual([{ source: 'consul/motd.txt.ctmpl', destination: `/run/${NAME}/motd.txt`, reload: 'restart' }]);
    const base = await record('basebox');
    const store = BlobStore.forEnv();
    await completeLayout(join(ROOT, base.layout), store, base);
    withTemplate = await buildServiceImage({
      spec,
      serviceDir,
      base,
      store,
      layoutDir: join(work, 'layout'),
      layoutName: 'layout',
      origin: { revision: 'e2e', created: '2026-11-29T00:00:00Z' },
      revisionTag: 'e2e',
      log: () => {},
    });
    tag = `microbox-test/${stack.owner}-${NAME}:latest`;
    await loadIntoDaemon(stack.engine, store, await readImage(store, withTemplate.manifest), [tag]);
    await stack.startConsul();
    await stack.consulClient().kv.set('catalog/motd', 'first');
  });
  afterAll(async () => {
    await stack?.down();
    if (tag) await stack.engine.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is the slim image plus consul-template', async () => {
    const slim = await record('catalog');
    console.log(`catalog with consul-template (full base): ${formatMB(withTemplate.size)}; on the slim base: ${formatMB(slim.size)}; difference ${formatMB(withTemplate.size - slim.size)}`);
    expect(withTemplate.parts[0]!.name).toBe('basebox');
    expect(withTemplate.size - slim.size).toBeGreaterThan(14e6);
  });

  it('is not signalled by the first render, start after start: one app start, no end, consul-template says it skipped it', async () => {
    for (let i = 0; i < 8; i++) {
      const c = await stack.startService(tag, `start-${i}`, { ...READ_ONLY, publish: undefined });
      const address = await addressOf(c, stack.network);
      await waitFor('healthz', async () => ((await httpGet(`http://${address}:8080/healthz`).catch(() => ({ status: 0 }))).status === 200 ? true : undefined), { timeoutMs: 15_000 });
      // Time for a late signal to land, had one been sent.
      await new Promise((r) => setTimeout(r, 300));
      const logs = await containerLogs(c.container);
      expect(logs, logs).toContain(`consul-template: rendered /run/${NAME}/motd.txt; ${NAME} reads it as it starts`);
      expect(count(logs, 'app: starting'), logs).toBe(1);
      expect(logs, logs).not.toMatch(/app: catalog-consul (ended by signal|exited with code)/);
      expect((await c.container.inspect()).State.Running).toBe(true);
      await c.container.remove({ force: true });
    }
  });

  it('is restarted, not killed, on a KV change: SIGTERM (it exits 0), a clean start, serving again', async () => {
    const c = await stack.startService(tag, 'change', { ...READ_ONLY, publish: undefined });
    const address = await addressOf(c, stack.network);
    const healthy = () => waitFor('healthz', async () => ((await httpGet(`http://${address}:8080/healthz`).catch(() => ({ status: 0 }))).status === 200 ? true : undefined), { timeoutMs: 15_000 });
    await healthy();
    await stack.consulClient().kv.set('catalog/motd', 'second');
    await waitFor('a second start', async () => (count(await containerLogs(c.container), 'app: starting') === 2 ? true : undefined), { timeoutMs: 10_000 });
    await healthy();
    const logs = await containerLogs(c.container);
    expect(logs).toContain(`app: ${NAME} exited with code 0`);
    expect(logs).not.toMatch(new RegExp(`app: ${NAME} ended by signal 1\\b`));
    expect((await execIn(c.container, ['cat', `/run/${NAME}/motd.txt`])).output).toBe('second\n');
    expect(await grpcHealth(`${address}:3550`)).toBe('SERVING');
  });
});
