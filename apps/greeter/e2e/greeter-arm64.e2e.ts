import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../libs/image/src/blob-store';
import { imageExists, loadIntoDaemon } from '../../../libs/image/src/daemon';
import { readImage } from '../../../libs/image/src/image';
import { completeLayout } from '../../../libs/image/src/layout-record';
import { type BuildRecord, formatMB, recordForPlatform } from '../../../libs/image/src/record';
import { OWNER_LABEL, type RunningContainer } from '../../../libs/stack/src/containers';
import { freePort } from '../../../libs/stack/src/free-port';
import { Stack } from '../../../libs/stack/src/stack';
import { arm64Emulation } from '../../../libs/toolchain/src/emulation';
import { greeterRecord, pidOf, waitForGreeting } from './greeter-stack';

// greeter's linux/arm64/v8 image, the one a registry hands an arm64 host,
// run here under emulation (qemu-user-static through binfmt_misc) against a
// real Consul: the same run-time contract as on amd64, slower. The daemon's
// own `greeter:latest` is amd64; this image is loaded under a tag of its own.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TAG = `microbox-test/greeter-arm64-${randomBytes(4).toString('hex')}:e2e`;
const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args, { encoding: 'utf8' })).stdout.trim();

const emulation = await arm64Emulation();
if (!emulation.ok) console.log(`skipping greeter's arm64 run test: ${emulation.reason}`);

describe.runIf(emulation.ok)("greeter's arm64 image under emulation, against a real Consul", () => {
  let stack: Stack;
  let record: BuildRecord;
  let arm64: BuildRecord;
  let greeter: RunningContainer;

  beforeAll(async () => {
    record = await greeterRecord();
    arm64 = recordForPlatform(record, 'linux/arm64');
    const store = BlobStore.forEnv();
    // The record's blobs, the base's among them, in the store whatever cleaned it since the layout was written.
    await completeLayout(`${ROOT}${record.layout}`, store, record, record.meta.baseLayout ? [`${ROOT}${record.meta.baseLayout}`] : []);
    stack = await Stack.up('e2e-greeter-arm64');
    await loadIntoDaemon(stack.engine, store, await readImage(store, arm64.manifest), [TAG]);
    await stack.startConsul();
  }, 120_000);

  afterAll(async () => {
    await stack?.down();
    if (stack && (await imageExists(stack.engine, TAG))) await stack.engine.docker.getImage(TAG).remove();
  });

  it('is the linux/arm64/v8 image of the index the tags name, built on the base of that platform', async () => {
    expect(record.index, 'greeter is an OCI index: build it again (nx run greeter:layout)').toBeDefined();
    expect(arm64.manifest.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(arm64.manifest.digest).not.toBe(record.manifest.digest);
    const inspected = JSON.parse(await docker('image', 'inspect', TAG, '--format', '{{json .}}')) as { Id: string; Architecture: string; Variant?: string; Size: number };
    expect([inspected.Id, inspected.Architecture, inspected.Variant]).toEqual([arm64.id, 'arm64', 'v8']);
    console.log(
      `greeter linux/arm64/v8: ${formatMB(inspected.Size)} as the daemon counts it; layers ${formatMB(arm64.size)}, ${formatMB(arm64.gzipSize)} gzipped (linux/amd64: ${formatMB(record.size)}, ${formatMB(record.gzipSize)} gzipped)`,
    );
  });

  it('runs s6-svscan as PID 1 on aarch64; consul-template renders the KV value, greeter serves it, and a KV change', async () => {
    await stack.consulClient().kv.set('greeter/greeting', 'Servus');
    const port = await freePort();
    const name = `${stack.owner}-greeter`;
    const id = await docker(
      'run', '-d', '--platform', 'linux/arm64', '--name', name, '--label', `${OWNER_LABEL}=${stack.owner}`,
      '--network', stack.network, '--network-alias', 'greeter', '-e', 'CONSUL_HTTP_ADDR=consul:8500', '-p', `127.0.0.1:${port}:8080`, TAG,
    );
    greeter = { container: stack.engine.docker.getContainer(id), id, name, url: `http://127.0.0.1:${port}` };

    // Emulated, s6, consul-template's first render and the app's start take seconds, not the tenths they take natively.
    const started = await waitForGreeting(greeter, 'Servus, Ann!', 90_000, 200);
    console.log(`arm64 greeter under emulation: serving the KV value ${(started / 1000).toFixed(1)} s after docker run`);
    expect(await docker('exec', id, 'cat', '/proc/1/comm')).toBe('s6-svscan');
    expect(await docker('exec', id, 'uname', '-m')).toBe('aarch64');
    expect(JSON.parse(await docker('exec', id, 'cat', '/run/greeter/greeter.json'))).toEqual({ greeting: 'Servus' });
    expect(await pidOf(greeter, 'consul-template')).toBeGreaterThan(1);

    const putAt = Date.now();
    await stack.consulClient().kv.set('greeter/greeting', 'Moin');
    await waitForGreeting(greeter, 'Moin, Ann!', 30_000, 100);
    console.log(`arm64 greeter under emulation: KV change served ${Date.now() - putAt} ms after the PUT`);
  }, 180_000);
});
