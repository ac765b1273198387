import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, imageExists } from '../../image/src/build';
import { contentBytes, packContext } from '../../image/src/context';
import { connectEngine, type Engine } from '../../image/src/engine';
import { measureImage } from '../../image/src/layers';
import { type BuildRecord, formatMB, type PartSize, writeRecord } from '../../image/src/record';
import { reuseUnchanged } from '../../image/src/reuse';
import { consulTemplateEntry } from './consul-template';
import { debCacheDir, extractDeb, fetchDeb } from './debs';
import { ALPINE_IMAGE, alpineDockerfile, alpineParts } from './flavours/alpine';
import { DEBIAN_PACKAGES, debianDockerfile, debianParts } from './flavours/debian';
import { PackageTree } from './libraries';
import { pinned, readLock } from './lock';
import { contextEntries, type Part } from './parts';

/** Bump when what the image holds changes in a way its users should see in the tag. */
export const BASEBOX_VERSION = '0.1.0';

export const FLAVOURS = ['debian', 'alpine'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export function parseFlavour(name: string): Flavour {
  if ((FLAVOURS as readonly string[]).includes(name)) return name as Flavour;
  throw new Error(`unknown basebox flavour "${name}": use one of ${FLAVOURS.join(', ')}`);
}

export function defaultTags(flavour: Flavour): string[] {
  return flavour === 'debian'
    ? [`microbox/basebox:${BASEBOX_VERSION}`, 'microbox/basebox:latest']
    : [`microbox/basebox:${BASEBOX_VERSION}-alpine`, 'microbox/basebox:alpine'];
}

export interface BaseboxOptions {
  flavour: string;
  /** The static consul-template to put in the image. */
  consulTemplate: string;
  /** The Debian lock file (debian flavour). */
  lockFile: string;
  /** Where the build record is written, and read to skip a build that would change nothing. */
  recordFile: string;
  tags?: string[];
  /** Where downloaded .debs are kept; defaults to the user's cache. */
  debCache?: string;
  /** Environment for DOCKER_HOST and the cache folders. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface BaseboxResult {
  record: BuildRecord;
  /** True when the record's image was still in the daemon and its inputs unchanged. */
  reused: boolean;
}

interface Assembled {
  dockerfile: string;
  parts: Part[];
  meta: Record<string, string>;
  cleanup: () => Promise<void>;
}

async function assembleDebian(options: BaseboxOptions, log: (line: string) => void): Promise<Assembled> {
  const lock = await readLock(options.lockFile);
  for (const wanted of DEBIAN_PACKAGES) pinned(lock, wanted.name, options.lockFile);
  const cache = options.debCache ?? debCacheDir(options.env);
  const work = await mkdtemp(join(tmpdir(), 'microbox-basebox-'));
  try {
    const root = join(work, 'root');
    for (const pkg of lock.packages) {
      const deb = await fetchDeb(pkg, cache, options.lockFile, log);
      await extractDeb(deb, root);
    }
    log(`${lock.packages.length} packages verified (sha256) and unpacked from ${cache}`);
    const consulTemplate = await consulTemplateEntry(options.consulTemplate);
    const parts = await debianParts(new PackageTree(root), consulTemplate, log);
    const meta = Object.fromEntries(lock.packages.map((p) => [`deb:${p.name}`, p.version]));
    return { dockerfile: debianDockerfile(), parts, meta, cleanup: () => rm(work, { recursive: true, force: true }) };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function assembleAlpine(options: BaseboxOptions): Promise<Assembled> {
  const parts = alpineParts(await consulTemplateEntry(options.consulTemplate));
  return { dockerfile: alpineDockerfile(), parts, meta: { from: ALPINE_IMAGE }, cleanup: async () => {} };
}

/** The alpine flavour builds FROM a registry image: say so plainly where there is none. */
async function requireAlpineImage(engine: Engine, log: (line: string) => void): Promise<void> {
  if (await imageExists(engine, ALPINE_IMAGE)) return;
  log(`pulling ${ALPINE_IMAGE} (the alpine flavour is built on it)`);
  try {
    const stream = await engine.docker.pull(ALPINE_IMAGE);
    await new Promise<void>((resolve, reject) => engine.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    // dockerode prefixes the daemon's message with the HTTP status: keep the daemon's words.
    const reason = (err as Error).message.replace(/^\(HTTP code \d+\)[^-]*- /, '');
    throw new Error(
      `flavour alpine builds FROM ${ALPINE_IMAGE}, which the daemon at ${engine.endpoint} does not have and cannot pull (${reason.trim().split('\n')[0]}): build it where a registry is reachable, or use flavour debian`,
    );
  }
}

/** Names each layer: the last ones are the parts, in order; any below them come from the FROM image or RUN steps. */
function partSizes(layers: { bytes: number; gzipBytes: number }[], parts: readonly Part[]): PartSize[] {
  const base = layers.length - parts.length;
  return layers.map((layer, i) => ({ name: i >= base ? parts[i - base]!.name : `base layer ${i + 1}`, bytes: layer.bytes, gzipBytes: layer.gzipBytes }));
}

export function formatBreakdown(record: BuildRecord): string[] {
  const width = Math.max(...record.parts.map((p) => p.name.length), 'total'.length);
  const lines = [
    `${'part'.padEnd(width)}  ${'layer'.padStart(10)}  ${'gzipped'.padStart(10)}`,
    ...record.parts.map((p) => `${p.name.padEnd(width)}  ${formatMB(p.bytes).padStart(10)}  ${formatMB(p.gzipBytes ?? 0).padStart(10)}`),
    `${'total'.padEnd(width)}  ${formatMB(record.size).padStart(10)}  ${formatMB(record.gzipSize).padStart(10)}  (image size as the daemon reports it; gzipped layers summed)`,
  ];
  const consulTemplate = record.parts.find((p) => p.name === 'consul-template');
  // The yardstick of issue 5: what the base adds around consul-template (goal: at most 4.8 MB).
  if (consulTemplate) lines.push(`around consul-template: ${formatMB(record.size - consulTemplate.bytes)} (its layer is ${formatMB(consulTemplate.bytes)})`);
  return lines;
}

/**
 * Builds the base image of the given flavour, or reuses the one the record
 * names when its inputs are unchanged and the daemon still holds it.
 */
export async function buildBasebox(options: BaseboxOptions): Promise<BaseboxResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const flavour = parseFlavour(options.flavour);
  const tags = options.tags ?? defaultTags(flavour);
  const engine = await connectEngine(options.env);
  log(`Docker ${engine.version} (API ${engine.apiVersion}) at ${engine.endpoint}`);

  const assembled = flavour === 'debian' ? await assembleDebian(options, log) : await assembleAlpine(options);
  try {
    const { tar, sha256 } = await packContext(contextEntries(assembled.dockerfile, assembled.parts));
    const files = assembled.parts.reduce((sum, part) => sum + contentBytes(part.entries), 0);
    log(`context: ${assembled.parts.length} parts, ${formatMB(files)} of files, inputs sha256 ${sha256.slice(0, 12)}`);

    const reused = await reuseUnchanged(engine, options.recordFile, sha256, tags);
    if (reused) {
      log(`unchanged: ${reused.id} is still in the daemon, tagged ${tags.join(', ')}`);
      return { record: reused, reused: true };
    }

    if (flavour === 'alpine') await requireAlpineImage(engine, log);
    const started = Date.now();
    const id = await buildImage(engine, { context: tar, tags, onProgress: (line) => log(`  ${line}`) });
    log(`built ${id} in ${((Date.now() - started) / 1000).toFixed(1)}s, tagged ${tags.join(', ')}`);

    const { size, gzipSize, layers } = await measureImage(engine, id);
    const record: BuildRecord = {
      id,
      tags,
      inputsHash: sha256,
      size,
      gzipSize,
      parts: partSizes(layers, assembled.parts),
      meta: { flavour, ...assembled.meta },
    };
    await writeRecord(options.recordFile, record);
    return { record, reused: false };
  } finally {
    await assembled.cleanup();
  }
}
