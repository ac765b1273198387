import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { buildLayer } from './layer';
import { type Image, writeImage } from './image';
import { dockerTarball, writeDockerTarball } from './tarball';

let dir: string;
let store: BlobStore;
let image: Image;
const created = '2026-03-04T05:06:07Z';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microbox-tarball-'));
  store = new BlobStore(join(dir, 'store'));
  const layer = await buildLayer(store, [{ type: 'file', path: 'app', content: Buffer.alloc(300_000, 7), mode: 0o755 }], { mtime: new Date(created) });
  const shared = await buildLayer(store, [{ type: 'directory', path: 'tmp', mode: 0o1777 }], { mtime: new Date(created) });
  image = await writeImage(store, { layers: [shared, layer, shared], config: { platform: { os: 'linux', architecture: 'amd64' }, created } });
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function members(tar: Buffer): Promise<Map<string, { content: Buffer; mtime: Date }>> {
  const seen = new Map<string, { content: Buffer; mtime: Date }>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      seen.set(header.name, { content: Buffer.concat(chunks), mtime: header.mtime });
      next();
    });
  });
  const done = new Promise<void>((resolve) => ex.on('finish', () => resolve()));
  ex.end(tar);
  await done;
  return seen;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('dockerTarball', () => {
  it('holds manifest.json for docker load, an OCI index, and each blob once, byte for byte', async () => {
    const tar = await members(await collect(dockerTarball(store, image, ['microbox-test:1', 'localhost:5000/team/app:v2'])));
    const blob = (d: { digest: string }) => `blobs/sha256/${d.digest.slice(7)}`;
    expect(JSON.parse(tar.get('manifest.json')!.content.toString())).toEqual([
      { Config: blob(image.config), RepoTags: ['microbox-test:1', 'localhost:5000/team/app:v2'], Layers: image.layers.map((l) => blob(l.descriptor)) },
    ]);
    const index = JSON.parse(tar.get('index.json')!.content.toString());
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([image.manifest.digest, image.manifest.digest]);
    expect([...tar.keys()].filter((n) => n.startsWith('blobs/')).length).toBe(4);
    for (const d of [image.manifest, image.config, ...image.layers.map((l) => l.descriptor)]) {
      expect(tar.get(blob(d))!.content.equals(await store.get(d.digest))).toBe(true);
    }
    for (const { mtime } of tar.values()) expect(mtime.toISOString()).toBe('2026-03-04T05:06:07.000Z');
  });

  it('gives the same bytes every time', async () => {
    const a = await collect(dockerTarball(store, image, ['microbox-test:1']));
    const b = await collect(dockerTarball(store, image, ['microbox-test:1']));
    expect(b.equals(a)).toBe(true);
  });

  it('refuses a tag the engine would refuse, naming it', () => {
    expect(() => dockerTarball(store, image, ['Greeter:latest'])).toThrow('image tag "Greeter:latest" is not a Docker name with a tag');
    expect(() => dockerTarball(store, image, ['greeter'])).toThrow('image tag "greeter" is not a Docker name with a tag: use "name:tag"');
  });
});

describe('writeDockerTarball', () => {
  it('writes the tarball under its name only when it is whole', async () => {
    const file = join(dir, 'out', 'image.tar');
    await writeDockerTarball(file, store, image, ['microbox-test:1']);
    expect((await readFile(file)).equals(await collect(dockerTarball(store, image, ['microbox-test:1'])))).toBe(true);
    await rm(store.path(image.layers[1].descriptor.digest));
    await writeFile(file, 'old');
    await expect(writeDockerTarball(file, store, image, ['microbox-test:1'])).rejects.toThrow(`cannot write the image tarball ${file}: blob ${image.layers[1].descriptor.digest} is not in the blob store`);
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(join(dir, 'out'))).toEqual(['image.tar']);
  });
});
