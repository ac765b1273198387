import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/blob-store';
import { loadIntoDaemon } from '../src/daemon';
import { sha256Digest } from '../src/descriptor';
import type { ImageEntry } from '../src/entries';
import { connectEngine, type Engine } from '../src/engine';
import { type Image, writeImage } from '../src/image';
import { buildLayer } from '../src/layer';
import { readLayout, writeLayout } from '../src/layout';
import { writeDockerTarball } from '../src/tarball';

const run = promisify(execFile);
const sh = async (cmd: string, ...args: string[]) => (await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
const NAME = `microbox-test-oci-${randomBytes(4).toString('hex')}`;
const TAG = `${NAME}:e2e`;
const LABEL = 'microbox.test=oci';
const CREATED = '2026-03-04T05:06:07Z';
const GREETING = `hello from a daemonless image ${NAME}`;

let root: string;
let engine: Engine;
let binary: Buffer;
let store: BlobStore;
let image: Image;

/** The image FROM scratch: a static Go binary, passwd, a scratch folder, a symlink and a hardlink to the binary. */
function entries(): ImageEntry[] {
  return [
    { type: 'file', path: 'bin/hello', content: binary, mode: 0o755 },
    { type: 'hardlink', path: 'bin/hello-again', target: 'bin/hello' },
    { type: 'symlink', path: 'usr/bin/hello', target: '/bin/hello' },
    { type: 'file', path: 'etc/passwd', content: 'root:x:0:0::/:/bin/hello\napp:x:10001:10001::/:/bin/hello\n' },
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'home/app/data.txt', content: 'owned by app\n', mode: 0o600, uid: 10001, gid: 10001 },
  ];
}

async function buildImage(s: BlobStore, order: (list: ImageEntry[]) => ImageEntry[] = (l) => l): Promise<Image> {
  const files = await buildLayer(s, order(entries()), { mtime: new Date(CREATED) });
  return writeImage(s, {
    layers: [files],
    config: { platform: { os: 'linux', architecture: 'amd64' }, created: CREATED, entrypoint: ['/bin/hello'], env: { GREETING }, labels: { 'microbox.test': 'oci' } },
    history: ['hello binary and files'],
  });
}

async function removeImage(ref: string): Promise<void> {
  await engine.docker
    .getImage(ref)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

beforeAll(async () => {
  engine = await connectEngine();
  root = await mkdtemp(join(tmpdir(), 'microbox-oci-e2e-'));
  const src = join(root, 'src');
  await mkdir(src);
  await writeFile(join(src, 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
  await writeFile(join(src, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println(os.Getenv("GREETING")) }\n');
  await run('/usr/local/go/bin/go', ['build', '-trimpath', '-ldflags=-s -w -buildid=', '-o', join(root, 'hello'), '.'], {
    cwd: src,
    env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  });
  binary = await readFile(join(root, 'hello'));
  store = new BlobStore(join(root, 'store'));
  image = await buildImage(store);
});

afterAll(async () => {
  if (engine) {
    for (const ref of [`${NAME}:on-top`, TAG, `${NAME}:second`, `${NAME}:tarball`, `${NAME}:broken`, image?.config.digest].filter(Boolean) as string[]) await removeImage(ref).catch(() => undefined);
  }
  if (root) await rm(root, { recursive: true, force: true });
});

describe('an image written without a daemon', () => {
  it('has the same digests when built in another folder with another store, entries in another order', async () => {
    const other = await buildImage(new BlobStore(join(root, 'elsewhere', 'store')), (l) => [...l].reverse());
    expect(other.manifest.digest).toBe(image.manifest.digest);
    expect(other.config.digest).toBe(image.config.digest);
  });

  it('is a layout skopeo inspects and copies', async () => {
    const dir = join(root, 'layout');
    await writeLayout(dir, store, [{ descriptor: image.manifest, tags: ['e2e'] }]);
    const inspected = JSON.parse(await sh('skopeo', 'inspect', `oci:${dir}:e2e`)) as { Digest: string; Architecture: string; Os: string; Layers: string[]; Labels: Record<string, string>; Env: string[] };
    expect(inspected).toMatchObject({ Digest: image.manifest.digest, Architecture: 'amd64', Os: 'linux', Layers: image.layers.map((l) => l.descriptor.digest), Labels: { 'microbox.test': 'oci' } });
    expect(inspected.Env).toEqual([`GREETING=${GREETING}`]);
    const copy = join(root, 'copy');
    await sh('skopeo', 'copy', `oci:${dir}:e2e`, `oci:${copy}:copied`);
    const copied = (await readLayout(copy)).find('copied');
    expect(copied?.digest).toBe(image.manifest.digest);
  });

  it('unpacks with umoci into the files given, byte for byte, with their owners, modes and links', async () => {
    const dir = join(root, 'layout-umoci');
    await writeLayout(dir, store, [{ descriptor: image.manifest, tags: ['e2e'] }]);
    const bundle = join(root, 'bundle');
    await sh('umoci', 'unpack', '--rootless', '--image', `${dir}:e2e`, bundle);
    const rootfs = join(bundle, 'rootfs');
    expect((await readFile(join(rootfs, 'bin/hello'))).equals(binary)).toBe(true);
    expect((await stat(join(rootfs, 'bin/hello'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(rootfs, 'bin/hello-again'))).ino).toBe((await stat(join(rootfs, 'bin/hello'))).ino);
    expect(await readlink(join(rootfs, 'usr/bin/hello'))).toBe('/bin/hello');
    expect((await stat(join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readFile(join(rootfs, 'home/app/data.txt'), 'utf8')).toBe('owned by app\n');
    expect((await stat(join(rootfs, 'home/app/data.txt'))).mode & 0o7777).toBe(0o600);
    // --rootless leaves every file to the user who unpacks; as root, a plain unpack shows the owners.
    const owned = join(root, 'bundle-owned');
    await sh('umoci', 'unpack', '--image', `${dir}:e2e`, owned);
    expect(await stat(join(owned, 'rootfs/home/app/data.txt'))).toMatchObject({ uid: 10001, gid: 10001 });
    expect(await stat(join(owned, 'rootfs/bin/hello'))).toMatchObject({ uid: 0, gid: 0 });
  });

  it('is a tarball docker load takes, and runs', async () => {
    const file = join(root, 'image.tar');
    await writeDockerTarball(file, store, image, [`${NAME}:tarball`]);
    await removeImage(image.config.digest);
    const loaded = await sh('docker', 'load', '-i', file);
    expect(loaded).toContain(`${NAME}:tarball`);
    expect((await sh('docker', 'image', 'inspect', '-f', '{{.Id}}', `${NAME}:tarball`)).trim()).toBe(image.config.digest);
    expect(await sh('docker', 'run', '--rm', '--label', LABEL, `${NAME}:tarball`)).toBe(`${GREETING}\n`);
  });

  it('loads into the daemon once, then only tags (new tags too); after docker rmi it loads again with the same id', async () => {
    await removeImage(image.config.digest);
    const lines: string[] = [];
    const first = await loadIntoDaemon(engine, store, image, [TAG], (l) => lines.push(l));
    expect(first).toEqual({ id: image.config.digest, loaded: true });
    expect(lines.join('\n')).toContain('loading sha256:');
    expect((await sh('docker', 'image', 'inspect', '-f', '{{.Id}}', TAG)).trim()).toBe(image.config.digest);
    expect(await sh('docker', 'run', '--rm', '--label', LABEL, TAG)).toBe(`${GREETING}\n`);
    expect(await loadIntoDaemon(engine, store, image, [TAG, `${NAME}:second`], (l) => lines.push(l))).toEqual({ id: image.config.digest, loaded: false });
    expect(lines.filter((l) => l.startsWith('loading'))).toHaveLength(1);
    expect((await sh('docker', 'image', 'inspect', '-f', '{{.Id}}', `${NAME}:second`)).trim()).toBe(image.config.digest);
    await sh('docker', 'rmi', '-f', image.config.digest);
    expect(await loadIntoDaemon(engine, store, image, [TAG])).toEqual({ id: image.config.digest, loaded: true });
    expect((await sh('docker', 'image', 'inspect', '-f', '{{.Id}}', TAG)).trim()).toBe(image.config.digest);
  });

  it('sends only the layers the daemon lacks: an image on top of one it holds loads its own layer alone, and runs', async () => {
    await loadIntoDaemon(engine, store, image, [TAG]);
    const extra = await buildLayer(store, [{ type: 'file', path: 'etc/on-top', content: NAME }], { mtime: new Date(CREATED) });
    const onTop = await writeImage(store, { base: image, layers: [extra], config: { platform: image.manifest.platform!, created: CREATED }, history: ['on top'] });
    const lines: string[] = [];
    expect(await loadIntoDaemon(engine, store, onTop, [`${NAME}:on-top`], (l) => lines.push(l), [TAG])).toEqual({ id: onTop.config.digest, loaded: true });
    expect(lines.join('\n')).toContain(`(1 of ${onTop.layers.length} layers,`);
    expect(await sh('docker', 'run', '--rm', '--label', LABEL, `${NAME}:on-top`)).toBe(`${GREETING}\n`);
  });

  it('says in one line when the engine refuses the load, and tags nothing', async () => {
    // A layer blob that is not the tar its diff id names (a diff id the daemon has no layer for, or it
    // would not read the blob at all): the engine refuses it inside the load stream.
    const brokenStore = new BlobStore(join(root, 'broken-store'));
    const other = await buildLayer(brokenStore, [{ type: 'file', path: 'other', content: 'not the binary' }], { mtime: new Date(CREATED) });
    const bad = await writeImage(brokenStore, {
      layers: [{ ...other, diffId: sha256Digest(`not ${NAME}`) }],
      config: { platform: { os: 'linux', architecture: 'amd64' }, created: CREATED, labels: { 'microbox.test': 'oci-broken' } },
    });
    await removeImage(bad.config.digest);
    const failure = await loadIntoDaemon(engine, brokenStore, bad, [`${NAME}:broken`]).then(
      () => 'loaded',
      (err: Error) => err.message,
    );
    expect(failure).toMatch(new RegExp(`^docker load of ${bad.config.digest} failed: .+`));
    expect(failure).toContain('invalid diffID');
    expect(failure).not.toContain('\n');
    await expect(engine.docker.getImage(`${NAME}:broken`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('an OCI layout on a full disk', () => {
  it('keeps the old layout whole and says so in one line', async (ctx) => {
    const mount = join(root, 'small-disk');
    await mkdir(mount);
    // A tmpfs half the size of the Go binary's layer: the old layout (a tiny image) fits, the new one does not.
    const size = Math.max(64, Math.floor(image.layers[0].descriptor.size / 2048));
    const refused = await run('mount', ['-t', 'tmpfs', '-o', `size=${size}k`, 'tmpfs', mount]).then(
      () => undefined,
      (err: Error) => err.message,
    );
    if (refused) {
      console.log(`skipped: cannot mount a small tmpfs to fill (${refused.trim()})`);
      ctx.skip();
    }
    try {
      const dir = join(mount, 'layout');
      const tiny = await writeImage(store, {
        layers: [await buildLayer(store, [{ type: 'file', path: 'hello.txt', content: 'hi\n' }], { mtime: new Date(CREATED) })],
        config: { platform: { os: 'linux', architecture: 'amd64' }, created: CREATED },
      });
      await writeLayout(dir, store, [{ descriptor: tiny.manifest, tags: ['e2e'] }]);
      const before = await readFile(join(dir, 'index.json'), 'utf8');
      const failure = await writeLayout(dir, store, [{ descriptor: image.manifest, tags: ['e2e'] }]).then(
        () => 'written',
        (err: Error) => err.message,
      );
      expect(failure).toBe(`cannot write the OCI layout ${dir} (ENOSPC): the old layout, if any, is unchanged; make that folder writable or free space there`);
      expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe(before);
      expect((await readLayout(dir)).find('e2e')?.digest).toBe(tiny.manifest.digest);
      expect(await sh('ls', '-A', mount)).toBe('layout\n');
    } finally {
      await run('umount', [mount]);
    }
  });
});
