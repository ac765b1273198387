import { chmodSync, existsSync, appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTPASSWD_USER, listening, startRegistry, type LocalRegistry } from '../../../libs/image/e2e/local-registry';
import { imageExists } from '../../../libs/image/src/daemon';
import { type BuildRecord, platformImages, taggedDescriptor } from '../../../libs/image/src/record';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import { cloneWorkspace, guardDaemonTags, imageIds, type WorkspaceClone } from './workspace-clone';

// `nx run greeter:push` in a temporary clone, from its OCI layout to a real
// registry (Debian's docker-registry) on a loopback port, with no Docker
// daemon in reach: pushed, pushed again with nothing uploaded, pulled back
// by the engine and run; the base pushed first and mounted; the registry
// named by MICROBOX_REGISTRY or the plugin option in nx.json; greeter and
// the base as OCI indexes over linux/amd64 and linux/arm64/v8; the failures
// a push meets, each one line that moves no tag. Ports 5551-5553 are this
// file's own.

const PORTS = { anonymous: 5551, htpasswd: 5552, down: 5553 };
const HELPER = 'microboxe2e';

let ws: WorkspaceClone;
let stack: Stack;
let registry: LocalRegistry;
let authRegistry: LocalRegistry;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;
let work: string;

beforeAll(async () => {
  for (const port of Object.values(PORTS)) {
    if (await listening(port)) throw new Error(`127.0.0.1:${port} is in use: stop what listens there (a registry left by an earlier run?); ports ${Object.values(PORTS).join(', ')} are this test's own`);
  }
  ws = cloneWorkspace('push');
  // A commit of its own stamps greeter's binary, so its image is one no
  // registry or daemon has: pulling it back must fetch every layer of it.
  appendFileSync(join(ws.dir, 'apps/greeter/main.go'), '\n// pushed by the push e2e test\n');
  ws.commit('greeter: a change of its own');
  work = mkdtempSync(join(tmpdir(), 'e2e-push-'));
  mkdirSync(join(work, 'docker-config'));
  ws.env.DOCKER_CONFIG = join(work, 'docker-config');
  // No daemon answers here: a push that needed one would fail.
  ws.env.DOCKER_HOST = `unix://${join(work, 'no-docker-daemon.sock')}`;
  stack = await Stack.up('e2e-push');
  registry = await startRegistry(PORTS.anonymous);
  authRegistry = await startRegistry(PORTS.htpasswd, { htpasswd: HTPASSWD_USER.line });
  guard = await guardDaemonTags(stack.engine, ['greeter', `${registry.host}/greeter`], ws.ownTags);
});
afterAll(async () => {
  await stack?.down();
  if (ws) guard?.built(imageIds(Object.values(ws.records())));
  await guard?.restore();
  await registry?.stop();
  await authRegistry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  ws?.cleanup();
});

const basic = `Basic ${Buffer.from(`${HTPASSWD_USER.username}:${HTPASSWD_USER.password}`).toString('base64')}`;

/** A repository's tags as the registry lists them (GET /v2/<repo>/tags/list); none when it does not know the repository. */
async function registryTags(host: string, repository: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repository}/tags/list`, { headers: { authorization: basic } });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`GET ${host}/v2/${repository}/tags/list: HTTP ${res.status}`);
  return (((await res.json()) as { tags?: string[] | null }).tags ?? []).sort();
}

/** Every repository of a registry with its tags: what a failed push must leave as it was. */
async function registryState(host: string): Promise<Record<string, string[]>> {
  const res = await fetch(`http://${host}/v2/_catalog`, { headers: { authorization: basic } });
  if (!res.ok) throw new Error(`GET ${host}/v2/_catalog: HTTP ${res.status}`);
  const { repositories } = (await res.json()) as { repositories: string[] };
  return Object.fromEntries(await Promise.all(repositories.map(async (r) => [r, await registryTags(host, r)] as const)));
}

const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

interface ServedManifest {
  mediaType: string | null;
  digest: string | null;
  json: { manifests?: { digest: string; platform?: object }[]; config?: { digest: string } };
}

/** A manifest or index as the registry serves it (GET /v2/<repo>/manifests/<reference>): its media type, digest and JSON. */
async function servedManifest(host: string, repository: string, reference: string): Promise<ServedManifest> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, { headers: { authorization: basic, accept: MANIFEST_TYPES } });
  if (!res.ok) throw new Error(`GET ${host}/v2/${repository}/manifests/${reference}: HTTP ${res.status}`);
  return { mediaType: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest'), json: (await res.json()) as ServedManifest['json'] };
}

/** A config blob as the registry serves it. */
async function servedConfig(host: string, repository: string, digest: string): Promise<{ os: string; architecture: string; variant?: string }> {
  const res = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`, { headers: { authorization: basic } });
  if (!res.ok) throw new Error(`GET ${host}/v2/${repository}/blobs/${digest}: HTTP ${res.status}`);
  return res.json() as Promise<{ os: string; architecture: string; variant?: string }>;
}

/**
 * Checks the registry serves `tag` as the record's OCI index with a
 * manifest per platform, linux/amd64 first, each the record's and readable
 * by digest, its config saying that platform.
 */
async function expectServedIndex(host: string, repository: string, tag: string, record: BuildRecord): Promise<void> {
  expect(record.index, `${repository}'s record names no index: it is built for one platform only`).toBeDefined();
  const index = await servedManifest(host, repository, tag);
  expect([index.mediaType, index.digest]).toEqual(['application/vnd.oci.image.index.v1+json', record.index!.digest]);
  const platforms = platformImages(record);
  expect(index.json.manifests!.map((m) => [m.platform, m.digest])).toEqual(platforms.map((p) => [p.image.manifest.platform, p.image.manifest.digest]));
  expect(platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  for (const { image } of platforms) {
    const manifest = await servedManifest(host, repository, image.manifest.digest);
    expect([manifest.mediaType, manifest.json.config?.digest]).toEqual(['application/vnd.oci.image.manifest.v1+json', image.id]);
    const config = await servedConfig(host, repository, image.id);
    expect({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }).toEqual(image.manifest.platform);
  }
}

/** The blobs a push of the record's tags sends, each once: every platform's config and layers (not its variants'). */
function pushedBlobs(record: BuildRecord): string[] {
  return [...new Set(platformImages(record).flatMap(({ image }) => image.blobs.filter((d) => d !== image.manifest.digest)))];
}

/** The layers of every platform's image of the record. */
function layersOf(record: BuildRecord): string[] {
  const configs = platformImages(record).map((p) => p.image.id);
  return pushedBlobs(record).filter((d) => !configs.includes(d));
}

/** The digest a registry serves for a tag. */
async function servedDigest(host: string, repository: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: basic, accept: MANIFEST_TYPES },
  });
  return res.ok ? res.headers.get('docker-content-digest') : null;
}

const tagsOf = (record: BuildRecord) => record.tags.map((t) => t.slice(t.lastIndexOf(':') + 1));

/**
 * The tags a push of `record` leaves: the record's, and the one each artifact
 * about the image (its SBOM) is put under on a registry with no referrers API,
 * as the executor names it (`<name>: <type> of <subject> as <digest> (tag sha256-<hex>.sbom)`;
 * libs/sbom/e2e checks what it holds). Every artifact is about one platform's image of this one, and each has one.
 */
function pushedTags(output: string, name: string, record: BuildRecord): string[] {
  const referrers = [...output.matchAll(new RegExp(`^${name}: \\S+ of (sha256:[0-9a-f]{64}) as sha256:[0-9a-f]{64} \\((?:tag (\\S+)|referrers API)\\)$`, 'gm'))];
  expect(referrers.map(([, subject]) => subject).sort()).toEqual(platformImages(record).map((p) => p.image.manifest.digest).sort());
  return [...tagsOf(record), ...referrers.flatMap((m) => (m[2] ? [m[2]] : []))].sort();
}

/** The push executor's summary: "<name>: N of M blobs uploaded, K already there, J mounted". */
function summary(output: string, name: string) {
  const m = new RegExp(`^${name}: (\\d+) of (\\d+) blobs uploaded, (\\d+) already there, (\\d+) mounted$`, 'm').exec(output);
  expect(m, `${name}'s push summary in:\n${output}`).not.toBeNull();
  const [uploaded, total, existing, mounted] = m!.slice(1).map(Number);
  return { uploaded, total, existing, mounted };
}

/** A push that must fail: its status, and its one error line (the executor's, `greeter:push: ...`). */
function failedPush(): string {
  const { status, output } = ws.nxStatus('run', 'greeter:push', '--outputStyle=static');
  expect(status, output).not.toBe(0);
  const lines = output.split('\n').filter((l) => l.startsWith('greeter:push: '));
  expect(lines, output).toHaveLength(1);
  return lines[0]!;
}

describe('push from the layout to a real registry, with no daemon', () => {
  let latest: string;

  it('pushes every tag of greeter, then pushes again uploading nothing', async () => {
    ws.env.MICROBOX_REGISTRY = registry.host;
    const first = ws.nx('run', 'greeter:push', '--outputStyle=static');
    const record = ws.records().greeter;
    guard.built([record.id]);
    latest = `${registry.host}/greeter:latest`;
    expect(first).toContain(`greeter: pushing ${record.manifest.digest.slice(0, 19)} (${record.tags.join(', ')}) to ${registry.host}`);
    for (const tag of tagsOf(record)) expect(first).toContain(`greeter: ${registry.host}/greeter:${tag} ${taggedDescriptor(record).digest}`);
    // Every blob but the manifests: each platform's config and layers, the base's included.
    const total = pushedBlobs(record).length;
    expect(summary(first, 'greeter')).toEqual({ uploaded: total, total, existing: 0, mounted: 0 });
    expect(await registryTags(registry.host, 'greeter')).toEqual(pushedTags(first, 'greeter', record));
    expect(await servedDigest(registry.host, 'greeter', 'latest')).toBe(taggedDescriptor(record).digest);
    await expectServedIndex(registry.host, 'greeter', 'latest', record);
    // The push went nowhere near the daemon (DOCKER_HOST points at nothing), which never saw this image.
    expect(await imageExists(stack.engine, record.id)).toBe(false);

    const again = ws.nx('run', 'greeter:push', '--outputStyle=static');
    expect(again).toMatch(new RegExp(`^greeter: 0 of ${total} blobs uploaded, ${total} already there, 0 mounted$`, 'm'));
  });

  it('is pulled back from the registry by the engine, the same image, and serves', async () => {
    const record = ws.records().greeter;
    const { id } = record;
    const engine = stack.engine;
    const statuses: string[] = [];
    const stream = await engine.docker.pull(latest);
    await new Promise<void>((resolve, reject) =>
      engine.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), (e: { status?: string }) => e.status && statuses.push(e.status)),
    );
    // The binary layer was nowhere but in the registry.
    expect(statuses).toContain('Pull complete');
    const pulled = await engine.docker.getImage(latest).inspect();
    expect(pulled.Id).toBe(id);
    // Pulled by the index, the engine took its own platform's image.
    expect(pulled.RepoDigests).toContain(`${registry.host}/greeter@${taggedDescriptor(record).digest}`);

    await stack.startConsul();
    const greeter = await stack.startService(latest, 'greeter');
    await waitFor('greeter pulled back, greeting', async () => ((await httpGet(`${greeter.url}/greet?name=Ann`)).body.includes('Hello, Ann!') ? true : undefined), {
      timeoutMs: 20_000,
    });
  });

  it('pushes to the registry of the plugin option in nx.json, mounting the base layers pushed before; MICROBOX_REGISTRY wins over it', async () => {
    const nxJsonFile = join(ws.dir, 'nx.json');
    const nxJson = readFileSync(nxJsonFile, 'utf8');
    const withOption = JSON.parse(nxJson) as { plugins: unknown[] };
    withOption.plugins = withOption.plugins.map((p) => (p === '@microbox/nx-microbox' ? { plugin: p, options: { registry: `${registry.host}/team` } } : p));
    writeFileSync(nxJsonFile, JSON.stringify(withOption, null, 2) + '\n');
    try {
      delete ws.env.MICROBOX_REGISTRY;
      const base = ws.nx('run', 'basebox:push', '--outputStyle=static');
      const { basebox, greeter } = ws.records();
      expect(base).toContain(`basebox: pushing ${basebox.manifest.digest.slice(0, 19)} (${ws.baseboxTag}) to ${registry.host}/team`);
      // The base's configs and layers on both platforms; its slim variant is not pushed with it.
      const baseTotal = pushedBlobs(basebox).length;
      expect(summary(base, 'basebox')).toEqual({ uploaded: baseTotal, total: baseTotal, existing: 0, mounted: 0 });

      const out = ws.nx('run', 'greeter:push', '--outputStyle=static');
      expect(out).toContain(`to ${registry.host}/team`);
      const at = ws.baseboxTag.lastIndexOf(':');
      await expectServedIndex(registry.host, `team/${ws.baseboxTag.slice(0, at)}`, ws.baseboxTag.slice(at + 1), basebox);
      const baseLayers = layersOf(basebox).length;
      const total = pushedBlobs(greeter).length;
      expect(summary(out, 'greeter')).toEqual({ uploaded: total - baseLayers, total, existing: 0, mounted: baseLayers });
      expect(out).toMatch(new RegExp(` mounted from team/${ws.baseboxTag.slice(0, ws.baseboxTag.lastIndexOf(':'))}$`, 'm'));
      expect(await registryTags(registry.host, 'team/greeter')).toEqual(pushedTags(out, 'greeter', greeter));

      ws.env.MICROBOX_REGISTRY = registry.host;
      const env = ws.nx('run', 'greeter:push', '--outputStyle=static');
      expect(env).toContain(`(${greeter.tags.join(', ')}) to ${registry.host}\n`);
      expect(summary(env, 'greeter')).toEqual({ uploaded: 0, total, existing: total, mounted: 0 });
    } finally {
      writeFileSync(nxJsonFile, nxJson);
    }
  });

  it('says in one line when the registry is down', () => {
    const down = `127.0.0.1:${PORTS.down}`;
    ws.env.MICROBOX_REGISTRY = down;
    expect(failedPush()).toBe(`greeter:push: registry ${down} refuses connections at http://${down}: start it, or point the push at a registry that runs`);
  });

  it('refuses a bad reference in one line naming the value and the fix, and creates no tag', async () => {
    const before = await registryState(registry.host);
    ws.env.MICROBOX_REGISTRY = `${registry.host}/Team`;
    expect(failedPush()).toBe(
      `greeter:push: MICROBOX_REGISTRY="${registry.host}/Team": namespace part "Team" is not valid: use lower-case letters and digits, with ".", "_", "__" or "-" only between them`,
    );
    ws.env.MICROBOX_REGISTRY = 'registry';
    expect(failedPush()).toBe(
      'greeter:push: MICROBOX_REGISTRY="registry": "registry" has no dot and no port, so Docker would take it for a Docker Hub namespace: use a host name with a dot, host:port or localhost (for Docker Hub, docker.io/registry)',
    );
    expect(await registryState(registry.host)).toEqual(before);
    const tagged = (await stack.engine.docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => /\/Team\/|^registry\//.test(t));
    expect(tagged).toEqual([]);
  });

  it('reads credentials from the Docker config (auths, credsStore), and says in one line when they are missing, refused, or their helper is missing', async () => {
    const host = authRegistry.host;
    ws.env.MICROBOX_REGISTRY = host;
    const configFile = join(ws.env.DOCKER_CONFIG!, 'config.json');
    const config = (value: object) => writeFileSync(configFile, JSON.stringify(value));
    const auth = (password: string) => config({ auths: { [host]: { auth: Buffer.from(`${HTPASSWD_USER.username}:${password}`).toString('base64') } } });

    expect(failedPush()).toBe(
      `greeter:push: registry ${host} wants credentials and none were found for it (/v2/): run \`docker login ${host}\`, or name a credential helper for it in the Docker config`,
    );
    auth('wrong-password');
    const refused = failedPush();
    expect(refused).toBe(`greeter:push: registry ${host} refused the credentials from auths["${host}"] in ${configFile} (/v2/): run \`docker login ${host}\` again, or fix them there`);
    config({ auths: { [host]: {} }, credHelpers: { [host]: 'microboxmissing' } });
    expect(failedPush()).toBe(
      `greeter:push: credential helper docker-credential-microboxmissing (named in ${configFile} for ${host}) is not on PATH: install it, or remove it from credHelpers/credsStore there`,
    );
    expect(await registryState(host)).toEqual({});

    auth(HTPASSWD_USER.password);
    const record = ws.records().greeter;
    const total = pushedBlobs(record).length;
    const pushed = ws.nx('run', 'greeter:push', '--outputStyle=static');
    expect(summary(pushed, 'greeter')).toEqual({ uploaded: total, total, existing: 0, mounted: 0 });
    expect(await registryTags(host, 'greeter')).toEqual(pushedTags(pushed, 'greeter', record));

    // credsStore: a helper on PATH that the test writes, which leaves a mark that it was asked.
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const asked = join(work, 'helper-was-asked');
    writeFileSync(
      join(bin, `docker-credential-${HELPER}`),
      `#!/bin/sh\nread url\necho "$url" > "${asked}"\nif [ "$1" = get ] && [ "$url" = "${host}" ]; then printf '{"ServerURL":"%s","Username":"${HTPASSWD_USER.username}","Secret":"${HTPASSWD_USER.password}"}' "$url"; else echo "credentials not found in native keychain"; exit 1; fi\n`,
    );
    chmodSync(join(bin, `docker-credential-${HELPER}`), 0o755);
    config({ credsStore: HELPER });
    ws.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
    expect(summary(ws.nx('run', 'greeter:push', '--outputStyle=static'), 'greeter')).toEqual({ uploaded: 0, total, existing: total, mounted: 0 });
    expect(existsSync(asked) && readFileSync(asked, 'utf8').trim()).toBe(host);
  });
});
