import { join } from 'node:path';
import type { BlobStore } from '../../../../libs/image/src/blob-store';
import { loadIntoDaemon } from '../../../../libs/image/src/daemon';
import type { Engine } from '../../../../libs/image/src/engine';
import { readImage } from '../../../../libs/image/src/image';
import { pushLayout } from '../../../../libs/image/src/publish/push-layout';
import { splitTag, type Registry } from '../../../../libs/image/src/publish/reference';
import type { BuildRecord } from '../../../../libs/image/src/record';
import { buildServiceImage } from '../../../../libs/service-image/src/build';
import { resolveServiceSpec } from '../../../../libs/service-image/src/resolve-spec';
import { run } from './run';

/** go-build's flags, without its version stamp: what `go build` alone means in the table. */
export const GO_BUILD_FLAGS = ['-trimpath', '-ldflags', '-s -w -buildid='];

/** `go build` of one service, as go-build runs it (CGO_ENABLED=0 -trimpath -ldflags "-s -w -buildid="). */
export function goBuild(workspace: string, service: string, out: string): Promise<string> {
  return run('go', ['build', ...GO_BUILD_FLAGS, '-o', out, `./apps/${service}`], { cwd: workspace, env: { ...process.env, CGO_ENABLED: '0' } });
}

export interface LibraryTarget {
  workspace: string;
  service: string;
  base: BuildRecord;
  store: BlobStore;
}

/** libs/service-image in process, as the layout executor calls it, on a binary `go build` just wrote. */
function buildImageFromBinary(t: LibraryTarget, round: string, binary: string): Promise<BuildRecord> {
  const serviceDir = join(t.workspace, 'apps', t.service);
  const layout = `dist/bench-library/${t.service}`;
  return buildServiceImage({
    spec: resolveServiceSpec(t.service, serviceDir, binary),
    serviceDir,
    base: t.base,
    store: t.store,
    layoutDir: join(t.workspace, layout),
    layoutName: layout,
    origin: { revision: 'bench', created: '2026-01-01T00:00:00Z' },
    revisionTag: `bench-${round}`,
    log: () => {},
  });
}

/** Seconds of a library measurement: all of it, what the library added after go build, and of that the image build alone. */
export interface LibraryTimes {
  total: number;
  added: number;
  image: number;
}

/** Times go build, then buildServiceImage, then `publish` of the record. */
async function timedBuild(t: LibraryTarget, round: string, publish: (record: BuildRecord) => Promise<void>): Promise<LibraryTimes> {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const binary = join(t.workspace, 'dist/bench-library/bin', t.service);
  const started = now();
  await goBuild(t.workspace, t.service, binary);
  const afterGo = now();
  const record = await buildImageFromBinary(t, round, binary);
  const afterImage = now();
  await publish(record);
  const end = now();
  return { total: end - started, added: end - afterGo, image: afterImage - afterGo };
}

/** go build + image + daemon load; the id loaded. */
export async function libraryLoad(t: LibraryTarget, engine: Engine, round: string): Promise<LibraryTimes & { id: string }> {
  let id = '';
  const times = await timedBuild(t, round, async (record) => {
    const image = await readImage(t.store, record.manifest);
    const { loaded } = await loadIntoDaemon(engine, t.store, image, record.tags);
    if (!loaded) throw new Error(`the daemon already held ${record.id}: the one-line change did not change the image`);
    id = record.id;
  });
  return { ...times, id };
}

/** go build + image + registry push, with no daemon; what the push uploaded. */
export async function libraryPush(t: LibraryTarget, registry: Registry, mountFrom: string[], round: string): Promise<LibraryTimes & { summary: string }> {
  let summary = '';
  const times = await timedBuild(t, round, async (record) => {
    const pushed = await pushLayout({
      layoutDir: join(t.workspace, record.layout),
      blobStores: [t.store.dir],
      tags: record.tags,
      registry,
      repository: splitTag(record.tags[0]!).repository,
      mountFrom,
      credentials: 'anonymous',
    });
    summary = `${pushed.blobs.uploaded} of ${pushed.blobs.total} blobs uploaded`;
  });
  return { ...times, summary };
}
