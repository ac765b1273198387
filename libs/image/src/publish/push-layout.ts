import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { RefusedCredentialsError, repositoryScope } from './auth';
import { resolveCredentials, type Credentials } from './credentials';
import type { Descriptor } from '../descriptor';
import { MEDIA_TYPES } from '../media-types';
import { LayoutReader, checkDescriptor, type ManifestJson } from './layout-reader';
import { planReferrers, pushReferrers, type PushedReferrer } from './referrers';
import { registryReference, tagOfRefName, type Registry } from './reference';
import { RegistryClient, type RetryPolicy } from './registry-client';

export interface PushLayoutOptions {
  /** An OCI image layout folder. */
  layoutDir: string;
  /** Folders holding `sha256/<hex>` blobs (the shared blob store), for blobs the layout leaves out. */
  blobStores?: readonly string[];
  /** Which of the layout's `org.opencontainers.image.ref.name`s to push; each becomes a tag (`latest`, or the tag of `greeter:latest`). */
  tags: readonly string[];
  registry: Registry;
  /** The repository under the registry's namespace, e.g. `greeter`. */
  repository: string;
  /** Repositories under the same registry and namespace that may hold the blobs (the base image's): mounted, not uploaded. */
  mountFrom?: readonly string[];
  /** Default: from the Docker config (helpers included), looked up at the registry's first challenge. */
  credentials?: Credentials | 'anonymous';
  /** Environment for the Docker config and credential helpers; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Plain HTTP to a host that is not loopback (loopback always is). */
  insecure?: boolean;
  /** Blobs sent at once; default 4. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** One line per blob, retry and manifest. */
  onProgress?: (line: string) => void;
}

export interface BlobCounts {
  /** Distinct blobs (configs and layers) of every manifest pushed. */
  total: number;
  uploaded: number;
  existing: number;
  mounted: number;
}

export interface PushLayoutResult {
  /** The manifest (or index) digest of the first tag. */
  digest: string;
  /** `host[/namespace]/repository:tag`, one per tag. */
  references: string[];
  /** Each reference with the digest it now points at. */
  manifests: { reference: string; digest: string }[];
  blobs: BlobCounts;
  /** The artifacts (SBOMs) the layout holds about the pushed manifests, pushed after them. */
  referrers: PushedReferrer[];
}

/** "N of M blobs uploaded, K already there, J mounted". */
export function formatPushSummary(blobs: BlobCounts): string {
  return `${blobs.uploaded} of ${blobs.total} blobs uploaded, ${blobs.existing} already there, ${blobs.mounted} mounted`;
}

/** `1.2 MB`, `340 kB`, `96 B`: sizes in progress lines. */
export function formatSize(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** An index's children are manifests to put before it; Docker's manifest list is one too. */
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.index, 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** What a push sends: the blobs, each once, the manifests an index holds, deepest first, and the tagged ones. */
interface PushPlan {
  blobs: Map<string, Descriptor>;
  children: Map<string, { descriptor: Descriptor; bytes: Buffer }>;
  tagged: { tag: string; reference: string; descriptor: Descriptor; bytes: Buffer }[];
}

/**
 * Pushes images from an OCI image layout to a registry over the OCI
 * distribution API, with no daemon: every blob the registry lacks is
 * uploaded (or mounted from `mountFrom`), in parallel, each once; then an
 * index's child manifests; then the manifest under each tag. Everything is
 * checked in the layout before the first request, and no tag is put until
 * every blob is there, so a failed push moves no tag. Last, the artifacts
 * (SBOMs) the layout holds about the pushed manifests (see referrers.ts).
 */
export async function pushLayout(options: PushLayoutOptions): Promise<PushLayoutResult> {
  const log = options.onProgress ?? (() => {});
  const { registry } = options;
  const name = [...registry.namespace, options.repository].join('/');
  if (options.tags.length === 0) throw new Error(`no tags to push to ${registry.host}/${name}: name at least one ref.name of ${options.layoutDir}`);
  const mountFrom = (options.mountFrom ?? []).map((from) => registryReference(registry, from).repository.slice(registry.host.length + 1)).filter((from) => from !== name);
  const layout = await LayoutReader.open(options.layoutDir, options.blobStores);
  const plan = await planPush(layout, options, name);
  // An index's artifacts (SBOMs) are about its platforms' manifests: those are subjects too.
  const referrers = await planReferrers(layout, [...plan.tagged.map((t) => t.descriptor.digest), ...plan.children.keys()]);

  const env = options.env ?? process.env;
  const given = options.credentials;
  const client = new RegistryClient({
    host: registry.host,
    insecure: options.insecure,
    credentials: async () => (given === 'anonymous' ? undefined : (given ?? (await resolveCredentials(registry.host, env)))),
    scopes: [repositoryScope(name, ['pull', 'push']), ...mountFrom.map((from) => repositoryScope(from, ['pull']))],
    retry: options.retry,
    onRetry: (what, attempt, delayMs, why) => log(`${what}: ${why}, trying again in ${(delayMs / 1000).toFixed(2)} s (try ${attempt + 1})`),
  });
  await client.ping();

  const counts: BlobCounts = { total: plan.blobs.size, uploaded: 0, existing: 0, mounted: 0 };
  await inPool([...plan.blobs.values()], options.concurrency ?? 4, async (blob) => {
    const outcome = await pushBlob(client, layout, name, mountFrom, blob);
    if (outcome === 'uploaded') counts.uploaded++;
    else if (outcome === 'existing') counts.existing++;
    else counts.mounted++;
    const said = outcome === 'uploaded' ? 'uploaded' : outcome === 'existing' ? 'already there' : `mounted from ${outcome.from}`;
    log(`${blob.digest.slice(0, 19)} ${formatSize(blob.size)} ${said}`);
  });

  for (const [digest, child] of plan.children) await client.putManifest(name, digest, child.bytes, child.descriptor.mediaType);
  const manifests: PushLayoutResult['manifests'] = [];
  for (const t of plan.tagged) {
    const digest = await client.putManifest(name, t.tag, t.bytes, t.descriptor.mediaType);
    log(`${t.reference} ${digest}`);
    manifests.push({ reference: t.reference, digest });
  }
  const pushedReferrers = await pushReferrers(client, layout, name, referrers, log);
  return { digest: manifests[0]!.digest, references: manifests.map((m) => m.reference), manifests, blobs: counts, referrers: pushedReferrers };
}

/** Reads every manifest the tags reach and checks every blob is in the layout, before any request. */
async function planPush(layout: LayoutReader, options: PushLayoutOptions, name: string): Promise<PushPlan> {
  const plan: PushPlan = { blobs: new Map(), children: new Map(), tagged: [] };
  const tags = new Set<string>();
  for (const refName of options.tags) {
    const tag = tagOfRefName(refName);
    const checked = registryReference(options.registry, `${options.repository}:${tag}`);
    if (tags.has(tag)) throw new Error(`ref.names ${options.tags.map((t) => `"${t}"`).join(', ')} give the tag "${tag}" twice: push each tag once`);
    tags.add(tag);
    const descriptor = layout.find(refName);
    const { bytes, json } = await layout.readManifest(descriptor, `"${refName}" in index.json`);
    await addManifest(layout, plan, descriptor, json, `"${refName}"`);
    plan.tagged.push({ tag, reference: `${checked.repository}:${checked.tag}`, descriptor: { ...descriptor, mediaType: json.mediaType ?? descriptor.mediaType }, bytes });
  }
  for (const blob of plan.blobs.values()) await layout.checkBlob(blob, `the image in ${name}`);
  return plan;
}

async function addManifest(layout: LayoutReader, plan: PushPlan, descriptor: Descriptor, json: ManifestJson, usedBy: string): Promise<void> {
  const mediaType = json.mediaType ?? descriptor.mediaType;
  const where = `manifest ${descriptor.digest} (${usedBy})`;
  if (INDEX_TYPES.has(mediaType)) {
    for (const child of json.manifests ?? []) {
      checkDescriptor(child, where);
      if (plan.children.has(child.digest)) continue;
      const read = await layout.readManifest(child, where);
      await addManifest(layout, plan, child, read.json, `${usedBy} > ${child.digest.slice(0, 19)}`);
      plan.children.set(child.digest, { descriptor: { ...child, mediaType: read.json.mediaType ?? child.mediaType }, bytes: read.bytes });
    }
    return;
  }
  if (!json.config) throw new Error(`${where} in ${layout.dir} has no config: it is not an image manifest or index; build the image again`);
  for (const blob of [json.config, ...(json.layers ?? [])]) {
    checkDescriptor(blob, where);
    if (!plan.blobs.has(blob.digest)) plan.blobs.set(blob.digest, blob);
  }
}

type BlobOutcome = 'uploaded' | 'existing' | { from: string };

/** One blob: there already, mounted from the first source repository that has it, or uploaded. */
async function pushBlob(client: RegistryClient, layout: LayoutReader, name: string, mountFrom: readonly string[], blob: Descriptor): Promise<BlobOutcome> {
  if (await client.blobExists(name, blob.digest)) return 'existing';
  let opened: string | undefined;
  for (const from of mountFrom) {
    // A source the credentials may not read is only a source less.
    const has = await client.blobExists(from, blob.digest).catch((err: Error) => {
      if (err instanceof RefusedCredentialsError) return false;
      throw err;
    });
    if (!has) continue;
    const mounted = await client.mountBlob(name, blob.digest, from);
    if (mounted === true) return { from };
    opened = mounted;
    break;
  }
  const path = layout.blobPath(blob.digest);
  await client.uploadBlob(name, blob.digest, blob.size, () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, opened);
  return 'uploaded';
}

/** Runs `work` over `items`, at most `limit` at once; after the first failure starts nothing more, waits for the running ones and throws it. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
