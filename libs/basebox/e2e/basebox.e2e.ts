import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../image/src/blob-store';
import { loadIntoDaemon } from '../../image/src/daemon';
import { connectEngine, type Engine } from '../../image/src/engine';
import { readImage, writeImage } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { readLayout } from '../../image/src/layout';
import type { BuildRecord } from '../../image/src/record';
import { waitFor } from '../../wait/src/wait-for';
import { BASE_CREATED, buildBasebox } from '../src/build';
import type { BaseboxArchitecture } from '../src/platforms';
import { consulTemplatePaths, docker, LOCK_FILE, removeAll, testTag } from './helpers';

const BASE = testTag('basebox');
const SERVICE = testTag('basebox-service');
const containers: string[] = [];
const store = BlobStore.forEnv();
let work: string;
let record: BuildRecord;
let consulTemplate: Record<BaseboxArchitecture, string>;
let engine: Engine;

const build = (layoutDir: string) =>
  buildBasebox({ consulTemplate, lockFile: LOCK_FILE, store, layoutDir, layoutName: layoutDir, tags: [BASE], log: () => {} });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-e2e-'));
  consulTemplate = await consulTemplatePaths();
  engine = await connectEngine();
  record = await build(join(work, 'layout'));
  const base = await readImage(store, record.manifest);
  await loadIntoDaemon(engine, store, base, [BASE]);
  // A throwaway service on top: a run script that says when it starts, then sleeps.
  const run = '#!/bin/sh\necho "sleeper started"\nexec sleep 1000\n';
  const layer = await buildLayer(store, [{ type: 'file', path: '/etc/s6/sleeper/run', content: run, mode: 0o755 }], { mtime: new Date(BASE_CREATED) });
  const service = await writeImage(store, { base, layers: [layer], config: { platform: base.manifest.platform!, created: BASE_CREATED }, history: ['sleeper'] });
  await loadIntoDaemon(engine, store, service, [SERVICE]);
});

afterAll(async () => {
  await removeAll(containers, [SERVICE, BASE]);
  await rm(work, { recursive: true, force: true });
});

async function start(...flags: string[]): Promise<string> {
  const id = await docker('run', '-d', ...flags, SERVICE);
  containers.push(id);
  return id;
}

const WAIT = { timeoutMs: 5_000 };

describe('the debian basebox', () => {
  it('is written within the size goals, with a breakdown by part, as an OCI layout', async () => {
    expect(record.tags).toEqual([BASE]);
    expect(record.parts.map((p) => p.name)).toEqual(['busybox', 'libraries', 's6', 'ca-certificates', 'consul-template', 'other']);
    expect(record.size).toBeLessThanOrEqual(19_600_000);
    expect(record.gzipSize).toBeLessThanOrEqual(8_000_000);
    const layout = await readLayout(join(work, 'layout'));
    // The tag names the index over both platforms; the record's own image is amd64's.
    expect(layout.find(BASE)?.digest).toBe(record.index?.digest);
    expect(record.manifest.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('runs s6-svscan as PID 1, and consul-template inside', async () => {
    const id = await start();
    await waitFor('PID 1', async () => ((await docker('exec', id, 'cat', '/proc/1/comm')) === 's6-svscan' ? true : undefined), WAIT);
    expect((await docker('exec', id, 'cat', '/proc/1/cmdline')).split('\0').filter(Boolean)).toEqual(['s6-svscan', '/run/s6']);
    expect(await docker('exec', id, 'consul-template', '-version')).toMatch(/^consul-template v0\.42\.1\b/);
    expect(await docker('exec', id, 'stat', '-c', '%a', '/tmp')).toBe('1777');
  });

  it('starts a service, restarts it within 1.1 s of a kill, and stops with exit code 0 within 2 s (read-only root)', async () => {
    const id = await start('--read-only', '--tmpfs', '/run', '--tmpfs', '/tmp');
    const { value: pid } = await waitFor(
      'the service to be up',
      async () => {
        const p = await docker('exec', id, 's6-svstat', '-p', '/run/s6/sleeper');
        return Number(p) > 0 ? p : undefined;
      },
      WAIT,
    );
    // s6-supervise waits 1 s before restarting a service that ran less than 1 s.
    await new Promise((r) => setTimeout(r, 1200));
    // Kill and watch from inside, so the time is not docker exec's.
    const script = `old=${pid}; t0=$(cut -d' ' -f1 /proc/uptime); kill -9 $old
      while :; do p=$(s6-svstat -p /run/s6/sleeper); [ "$p" != "$old" ] && [ "$p" -gt 0 ] && break; usleep 10000; done
      t1=$(cut -d' ' -f1 /proc/uptime); echo "$t0 $t1"`;
    const [t0, t1] = (await docker('exec', id, 'sh', '-c', script)).split(' ').map(Number);
    expect(t1! - t0!).toBeLessThanOrEqual(1.1);
    expect((await docker('logs', id)).match(/sleeper started/g)).toHaveLength(2);

    const started = Date.now();
    await docker('stop', '-t', '10', id);
    expect(Date.now() - started).toBeLessThanOrEqual(2000);
    expect(await docker('inspect', '-f', '{{.State.ExitCode}}', id)).toBe('0');
  });

  it('exits with the code a service leaves in the exit-code file when it ends the container', async () => {
    const id = await start('--read-only', '--tmpfs', '/run', '--tmpfs', '/tmp');
    await waitFor('s6', async () => ((await docker('exec', id, 'cat', '/proc/1/comm')) === 's6-svscan' ? true : undefined), WAIT);
    await docker('exec', id, 'sh', '-c', 'echo 3 > /run/s6/.s6-svscan/exit-code && s6-svscanctl -t /run/s6');
    await waitFor('the container to exit', async () => ((await docker('inspect', '-f', '{{.State.Running}}', id)) === 'false' ? true : undefined), WAIT);
    expect(await docker('inspect', '-f', '{{.State.ExitCode}}', id)).toBe('3');
  });

  it('has the non-root user, and s6-setuidgid drops to it and can write /tmp', async () => {
    const id = await start();
    await waitFor('s6', async () => ((await docker('exec', id, 'cat', '/proc/1/comm')) === 's6-svscan' ? true : undefined), WAIT);
    const out = await docker('exec', id, 's6-setuidgid', 'app', 'sh', '-c', 'id -u; id -g; echo hello > /tmp/by-app; stat -c %U:%G /tmp/by-app');
    expect(out.split('\n')).toEqual(['10001', '10001', 'app:app']);
  });

  it('gives the same digest when written again in another folder, and the same image id after docker rmi', async () => {
    const again = await build(join(work, 'again'));
    expect(again.index?.digest).toBe(record.index?.digest);
    expect(again.manifest.digest).toBe(record.manifest.digest);
    expect(again.id).toBe(record.id);
    await removeAll([], [BASE]);
    const { id } = await loadIntoDaemon(engine, store, await readImage(store, again.manifest), [BASE]);
    expect(id).toBe(record.id);
    expect(await docker('image', 'inspect', '-f', '{{.Id}}', BASE)).toBe(record.id);
  });
});
