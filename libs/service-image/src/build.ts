import { readFile } from 'node:fs/promises';
import { buildImage, imageExists } from '../../image/src/build';
import { packContext, type ContextEntry } from '../../image/src/context';
import { connectEngine } from '../../image/src/engine';
import { measureImage } from '../../image/src/layers';
import { reuseUnchanged } from '../../image/src/reuse';
import { type BuildRecord, formatMB, readRecord, writeRecord } from '../../image/src/record';
import { serviceDockerfile, type ImageOrigin } from './dockerfile';
import { serviceEntries } from './layout';
import type { ServiceSpec } from './service-spec';

export interface ServiceImageOptions {
  spec: ServiceSpec;
  /** The service's folder: its templates and s6 overrides. */
  serviceDir: string;
  /** The basebox build record: the image this one is built FROM. */
  baseRecordFile: string;
  /** Where this image's build record goes (the Nx output). */
  recordFile: string;
  origin: Omit<ImageOrigin, 'baseImage' | 'baseId'>;
  /** The tag besides `latest`: the git short sha of the sources. */
  revisionTag: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Names of the layers this image adds above its base, in Dockerfile order. */
export const OWN_LAYERS = ['s6 scripts, templates', 'binary'] as const;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Builds `<svc>:latest` and `<svc>:<revision>` on the basebox image, or reuses
 * the image the record names when the inputs are the same and the daemon still
 * holds it: the record alone never stands for an image that is gone.
 */
export async function buildServiceImage(o: ServiceImageOptions): Promise<{ record: BuildRecord; reused: boolean }> {
  const log = o.log ?? ((line: string) => console.log(line));
  const { spec } = o;
  if (!TAG.test(o.revisionTag)) throw new Error(`revision tag "${o.revisionTag}" is not a valid image tag: use letters, digits, "_", "." and "-"`);
  const tags = [`${spec.name}:latest`, `${spec.name}:${o.revisionTag}`];

  const engine = await connectEngine(o.env);
  const base = await readRecord(o.baseRecordFile);
  if (!base || !(await imageExists(engine, base.id))) {
    throw new Error(`the base image of ${spec.name} is not built (no image for ${o.baseRecordFile}): run \`nx run basebox:image\` first`);
  }
  let binary: Buffer;
  try {
    binary = await readFile(spec.binary);
  } catch {
    throw new Error(`the binary of ${spec.name} is missing at ${spec.binary}: run \`nx run ${spec.name}:go-build\` first`);
  }
  const origin: ImageOrigin = { ...o.origin, baseImage: base.tags[0] ?? base.id, baseId: base.id };
  const entries: ContextEntry[] = [
    { type: 'file', path: 'Dockerfile', content: serviceDockerfile(spec, origin) },
    ...serviceEntries(spec, o.serviceDir, binary),
  ];
  const { tar, sha256 } = await packContext(entries);

  const reused = await reuseUnchanged(engine, o.recordFile, sha256, tags);
  if (reused) {
    log(`${spec.name}: unchanged, ${reused.id} is still in the daemon; tagged ${tags.join(', ')}`);
    return { record: reused, reused: true };
  }

  log(`${spec.name}: building on ${origin.baseImage} (${base.id.slice(0, 19)})`);
  const started = Date.now();
  const id = await buildImage(engine, { context: tar, tags, onProgress: (line) => log(`  ${line}`) });
  const { size, gzipSize, layers } = await measureImage(engine, id);
  const own = layers.slice(base.parts.length);
  const record: BuildRecord = {
    id,
    tags,
    inputsHash: sha256,
    size,
    gzipSize,
    parts: [
      { name: 'basebox', bytes: base.size, gzipBytes: base.gzipSize },
      ...own.map((l, i) => ({ name: OWN_LAYERS[i] ?? `layer ${i + 1}`, bytes: l.bytes, gzipBytes: l.gzipBytes })),
    ],
    meta: { baseId: base.id, revision: o.origin.revision, created: o.origin.created },
  };
  await writeRecord(o.recordFile, record);
  const ownBytes = own.reduce((sum, l) => sum + l.bytes, 0);
  log(`${spec.name}: built ${id} in ${((Date.now() - started) / 1000).toFixed(1)}s; ${formatMB(record.size)} (own layers ${formatMB(ownBytes)}), tagged ${tags.join(', ')}`);
  return { record, reused: false };
}
