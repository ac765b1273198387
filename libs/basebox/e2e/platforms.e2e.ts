import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, readElfLinkage } from '../../elf/src/elf';
import { BlobStore } from '../../image/src/blob-store';
import { loadIntoDaemon } from '../../image/src/daemon';
import { connectEngine } from '../../image/src/engine';
import { type Image, readImage, readIndex } from '../../image/src/image';
import { readLayout } from '../../image/src/layout';
import { type BuildRecord, recordOf } from '../../image/src/record';
import { arm64Emulation } from '../../toolchain/src/emulation';
import { waitFor } from '../../wait/src/wait-for';
import { buildBasebox } from '../src/build';
import { S6_PROGRAMS } from '../src/flavours/debian';
import { lockedFor, readLock } from '../src/lock';
import type { BaseboxArchitecture } from '../src/platforms';
import { SLIM, slimTags } from '../src/slim';
import { consulTemplatePaths, docker, LOCK_FILE, nodeOnlyPath, removeAll, runWithNodeOnly, testTag } from './helpers';

const run = promisify(execFile);
const BASE = testTag('basebox-platforms');
const ARM64_TAG = testTag('basebox-arm64');
const containers: string[] = [];
const store = BlobStore.forEnv();
let work: string;
let record: BuildRecord;
let consulTemplate: Record<BaseboxArchitecture, string>;

const build = (layoutDir: string) => buildBasebox({ consulTemplate, lockFile: LOCK_FILE, store, layoutDir, layoutName: layoutDir, tags: [BASE], log: () => {} });

interface FileInImage {
  type: string;
  mode: number;
  linkname?: string;
  content: Buffer;
}

/** Every entry of an image's layers, by path, as the layer tars hold them (a later layer's entry wins). */
async function filesOf(image: Image): Promise<Map<string, FileInImage>> {
  const files = new Map<string, FileInImage>();
  for (const layer of image.layers) {
    const tar = extract();
    tar.end(gunzipSync(await store.get(layer.descriptor.digest)));
    for await (const entry of tar) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type, mode, linkname } = entry.header;
      files.set(`/${name.replace(/^\.?\//, '').replace(/\/$/, '')}`, { type: type ?? 'file', mode: mode ?? 0, linkname: linkname ?? undefined, content: Buffer.concat(chunks) });
    }
  }
  return files;
}

/**
 * The arm64 image's path for an amd64 one: Debian's multiarch folder and the
 * loader are named after the architecture, and amd64's loader alone lives in
 * /lib64 (undefined: arm64 has no such folder).
 */
function amd64PathOnArm64(path: string): string | undefined {
  if (path === '/lib64') return undefined;
  return path
    .replace(/^\/lib64\/ld-linux-x86-64\.so\.2$/, '/lib/ld-linux-aarch64.so.1')
    .replace('x86_64-linux-gnu', 'aarch64-linux-gnu')
    .replace(/ld-linux-x86-64\.so\.2$/, 'ld-linux-aarch64.so.1');
}

const images: Partial<Record<BaseboxArchitecture, Image>> = {};
const files: Partial<Record<BaseboxArchitecture, Map<string, FileInImage>>> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-platforms-e2e-'));
  consulTemplate = await consulTemplatePaths();
  record = await build(join(work, 'layout'));
  images.amd64 = await readImage(store, record.manifest);
  images.arm64 = await readImage(store, record.platforms!['linux/arm64/v8']!.manifest);
  files.amd64 = await filesOf(images.amd64);
  files.arm64 = await filesOf(images.arm64);
}, 180_000);

afterAll(async () => {
  await removeAll(containers, [ARM64_TAG]);
  await rm(work, { recursive: true, force: true });
});

describe('the basebox on two platforms', () => {
  it('is an OCI index over linux/amd64 and linux/arm64/v8, the slim variant too, and the layout tags name the indexes', async () => {
    const layout = await readLayout(join(work, 'layout'));
    for (const image of [record, recordOf(record, SLIM)]) {
      const index = await readIndex(store, image.index!);
      expect(index.manifests.map((m) => [m.platform, m.digest])).toEqual([
        [{ os: 'linux', architecture: 'amd64' }, image.manifest.digest],
        [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, image.platforms!['linux/arm64/v8']!.manifest.digest],
      ]);
      for (const tag of image.tags) expect(layout.find(tag)?.digest).toBe(image.index!.digest);
    }
    expect(record.variants![SLIM]!.tags).toEqual(slimTags([BASE]));
    expect(images.arm64!.configJson).toMatchObject({ architecture: 'arm64', variant: 'v8', os: 'linux' });
  });

  it('gives the same index digests when built again in another folder', async () => {
    const again = await build(join(work, 'again'));
    expect(again.index!.digest).toBe(record.index!.digest);
    expect(again.variants![SLIM]!.index!.digest).toBe(record.variants![SLIM]!.index!.digest);
  }, 180_000);

  it('gives the same index with only node on PATH (no apt-get, dpkg, dpkg-deb, nor a busybox to run) from an empty .deb cache', async () => {
    await expect(run('dpkg-deb', ['--version'], { env: { PATH: await nodeOnlyPath(work) } })).rejects.toThrow(/ENOENT/);
    const env = { MICROBOX_DEB_CACHE: join(work, 'empty-deb-cache'), MICROBOX_BLOB_STORE: store.dir };
    const stdout = await runWithNodeOnly(
      work,
      'build',
      (from) => `import { BlobStore } from ${from('libs/image/src/blob-store.ts')};
import { buildBasebox } from ${from('libs/basebox/src/build.ts')};
const [lockFile, layoutDir, tag, amd64, arm64] = process.argv.slice(2);
const record = await buildBasebox({ consulTemplate: { amd64, arm64 }, lockFile, store: BlobStore.forEnv(), layoutDir, layoutName: layoutDir, tags: [tag], log: () => {} });
process.stdout.write(record.index.digest);
`,
      [LOCK_FILE, join(work, 'no-dpkg'), BASE, consulTemplate.amd64, consulTemplate.arm64],
      env,
    );
    expect(stdout).toBe(record.index!.digest);
    // Every .deb of both architectures was downloaded into the empty cache, none taken from elsewhere.
    const lock = await readLock(LOCK_FILE);
    const pinned = new Set(['amd64', 'arm64'].flatMap((arch) => lockedFor(lock, arch, LOCK_FILE).map((p) => posix.basename(p.filename))));
    expect(new Set(await readdir(env.MICROBOX_DEB_CACHE))).toEqual(pinned);
  }, 180_000);

  it('keeps the amd64 files the base had before arm64 was added', () => {
    // The uncompressed tars of every layer but consul-template's (a Go build, which moves with the
    // Go release), as the amd64-only base of commit e05f35d gave them: these digests move only when
    // the lock or the recipe changes, never because the base became multi-platform.
    const diffIds = Object.fromEntries(record.parts.map((p, i) => [p.name, images.amd64!.configJson.rootfs.diff_ids[i]]));
    expect(diffIds).toMatchObject({
      busybox: 'sha256:2d25b2c2174ff996ab027616e62192ad4c0709cf9761cb2cfbbb8e19d386b600',
      libraries: 'sha256:f09eb4dd647b74cb305bdfd9c4fd9e1d4817ecc25b0a60c59daaf2e84adad96f',
      s6: 'sha256:a48cfa87b57935636905fc0411f7e30fbf619c4d256ff415393dc5ea0f8f503f',
      'ca-certificates': 'sha256:256210d8e20026797b19c6428d3dc9d3c7f756f72e551b00b402d61cee30acba',
      other: 'sha256:56a4e8f3b451eb02cb01151d6fcf6132500e3bce56430f77916c15517140fe15',
    });
  });

  it('holds the same paths, types and modes on arm64 as on amd64, but the multiarch folder and the loader', () => {
    // Links are compared by where they lead: Debian's arm64 loader link is relative, amd64's absolute.
    const shape = (entries: Map<string, FileInImage>, rename: (p: string) => string | undefined = (p) => p) =>
      [...entries]
        .filter(([path]) => rename(path) !== undefined)
        .map(([path, f]) => `${rename(path)} ${f.type} ${f.mode.toString(8)}${f.linkname ? ` -> ${rename(posix.resolve(posix.dirname(path), f.linkname))}` : ''}`)
        .sort();
    expect(shape(files.arm64!)).toEqual(shape(files.amd64!, amd64PathOnArm64));
    expect(files.arm64!.size).toBeGreaterThan(250);
    // What no architecture changes is the same bytes: the CA bundle, the s6 tree, passwd and group.
    for (const path of ['/etc/ssl/certs/ca-certificates.crt', '/init', '/etc/passwd', '/etc/group', '/etc/nsswitch.conf']) {
      expect(files.arm64!.get(path)?.content.equals(files.amd64!.get(path)!.content), path).toBe(true);
    }
  });

  it("has aarch64 programs, libraries and loader in the arm64 image, x86-64 ones in the amd64 image", () => {
    const elves = (arch: BaseboxArchitecture) =>
      [...files[arch]!].filter(([, f]) => f.type === 'file' && f.content.subarray(0, 4).toString('latin1') === '\x7fELF').map(([path, f]) => ({ path, machine: readElfLinkage(f.content).machine }));
    const wanted = ['/bin/busybox', '/usr/bin/consul-template', ...S6_PROGRAMS.map((p) => `/usr/bin/${p}`), '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', '/lib/aarch64-linux-gnu/libc.so.6'];
    const arm64 = elves('arm64');
    expect(arm64.map((e) => e.path)).toEqual(expect.arrayContaining(wanted));
    expect(arm64.filter((e) => e.machine !== EM_AARCH64)).toEqual([]);
    expect(files.arm64!.get('/lib/ld-linux-aarch64.so.1')).toMatchObject({ type: 'symlink' });
    expect(readElfLinkage(files.arm64!.get('/bin/busybox')!.content).interpreter).toBe('/lib/ld-linux-aarch64.so.1');
    expect(elves('amd64').filter((e) => e.machine !== EM_X86_64)).toEqual([]);
  });
});

const emulation = await arm64Emulation();
if (!emulation.ok) console.log(`skipping the arm64 run test: ${emulation.reason}`);

describe.runIf(emulation.ok)('the arm64 basebox under emulation', () => {
  it('runs s6-svscan as PID 1 on aarch64, with consul-template', async () => {
    const engine = await connectEngine();
    await loadIntoDaemon(engine, store, images.arm64!, [ARM64_TAG]);
    const id = await docker('run', '-d', '--platform', 'linux/arm64', ARM64_TAG);
    containers.push(id);
    await waitFor('PID 1', async () => ((await docker('exec', id, 'cat', '/proc/1/comm')) === 's6-svscan' ? true : undefined), { timeoutMs: 20_000 });
    expect(await docker('exec', id, 'uname', '-m')).toBe('aarch64');
    expect(await docker('exec', id, 'consul-template', '-version')).toMatch(/^consul-template v0\.42\.1\b/);
  }, 120_000);
});
