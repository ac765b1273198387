import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryScope } from '../src/publish/auth';
import type { Credentials } from '../src/publish/credentials';
import { formatPushSummary, pushLayout, type PushLayoutOptions } from '../src/publish/push-layout';
import { parseRegistry } from '../src/publish/reference';
import { RegistryClient } from '../src/publish/registry-client';
import { writeHelloLayout } from './hello-image';
import { HTPASSWD_USER, listening, startRegistry, type LocalRegistry } from './local-registry';
import { startTokenIssuer, type TokenIssuer } from './token-issuer';

// The daemonless registry publisher against Debian's real docker-registry
// 2.8: anonymous, htpasswd and token auth, a credential helper, and the
// failures a push meets; what it pushes is pulled back by the real Docker
// engine and run. Ports 5531-5536 are this file's own.

const PORTS = { anonymous: 5531, htpasswd: 5532, token: 5533, issuer: 5534, helper: 5535, down: 5536 };
const REFRESH_TOKEN = 'e2e-refresh-token-value';
const MESSAGE = `hello from the registry-push e2e ${process.pid}-${Date.now()}`;

let work: string;
let layoutDir: string;
/** An empty Docker config folder: the machine's own ~/.docker must not decide these tests. */
let env: NodeJS.ProcessEnv;
const registries: LocalRegistry[] = [];
let issuer: TokenIssuer | undefined;
const pulled: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-registry-push-'));
  ({ layoutDir } = await writeHelloLayout(join(work, 'hello'), MESSAGE));
  mkdirSync(join(work, 'docker-config'));
  env = { ...process.env, DOCKER_CONFIG: join(work, 'docker-config') };
});
afterAll(async () => {
  try {
    // The pulled image has no other name, so removing its one tag removes it.
    for (const ref of pulled) spawnSync('docker', ['rmi', '-f', ref], { stdio: 'ignore' });
    for (const r of registries) await r.stop();
    await issuer?.stop();
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
});

async function registry(port: number, auth?: Parameters<typeof startRegistry>[1]): Promise<LocalRegistry> {
  const started = await startRegistry(port, auth);
  registries.push(started);
  return started;
}

function push(host: string, extra: Partial<PushLayoutOptions> = {}) {
  const lines: string[] = [];
  const done = pushLayout({ layoutDir, tags: ['latest'], registry: parseRegistry(`${host}/e2e`), repository: 'hello', env, onProgress: (l) => lines.push(l), ...extra });
  return { done, lines };
}

/** The repository's tags, read with `credentials`: what a failed push must not have changed. */
function tags(host: string, repository: string, credentials?: Credentials): Promise<string[]> {
  return new RegistryClient({ host, credentials: async () => credentials, scopes: [repositoryScope(repository, ['pull'])] }).tags(repository);
}

/** The message of a push that must fail, checked to be one line. */
async function failure(done: Promise<unknown>): Promise<string> {
  const error = await done.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the push should have failed').toBeInstanceOf(Error);
  expect(error!.message).not.toContain('\n');
  return error!.message;
}

const htpasswdUser: Credentials = { username: HTPASSWD_USER.username, password: HTPASSWD_USER.password, source: 'the test' };

describe('anonymous registry', () => {
  let host: string;
  beforeAll(async () => {
    ({ host } = await registry(PORTS.anonymous));
  });

  it('pushes a runnable image that the Docker engine pulls back and runs', async () => {
    const started = Date.now();
    const { done, lines } = push(host);
    const result = await done;
    console.log(`first push: ${Date.now() - started} ms, ${formatPushSummary(result.blobs)}`);
    expect(result.blobs).toEqual({ total: 2, uploaded: 2, existing: 0, mounted: 0 });
    expect(result.references).toEqual([`${host}/e2e/hello:latest`]);
    expect(lines.filter((l) => /^sha256:[0-9a-f]{12} [\d.]+ (B|kB|MB) uploaded$/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toBe(`${host}/e2e/hello:latest ${result.digest}`);

    const ref = `${host}/e2e/hello:latest`;
    pulled.push(ref);
    execFileSync('docker', ['pull', ref], { stdio: 'ignore' });
    const repoDigest = execFileSync('docker', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', ref], { encoding: 'utf8' }).trim();
    expect(repoDigest).toBe(`${host}/e2e/hello@${result.digest}`);
    expect(execFileSync('docker', ['run', '--rm', ref], { encoding: 'utf8' }).trim()).toBe(MESSAGE);
  });

  it('uploads nothing the second time', async () => {
    const started = Date.now();
    const result = await push(host).done;
    console.log(`second push: ${Date.now() - started} ms, ${formatPushSummary(result.blobs)}`);
    expect(formatPushSummary(result.blobs)).toBe('0 of 2 blobs uploaded, 2 already there, 0 mounted');
  });

  it('mounts the shared layer into another repository instead of uploading it', async () => {
    const { done, lines } = push(host, { tags: ['shared'], repository: 'other', mountFrom: ['hello'] });
    const result = await done;
    expect(result.blobs).toEqual({ total: 2, uploaded: 1, existing: 0, mounted: 1 });
    expect(lines.some((l) => / mounted from e2e\/hello$/.test(l))).toBe(true);
    expect(await tags(host, 'e2e/other')).toEqual(['shared']);
  });

  it('says in one line that a registry is down, and a blob the layout lacks', async () => {
    expect(await listening(PORTS.down)).toBe(false);
    const message = await failure(push(`127.0.0.1:${PORTS.down}`).done);
    expect(message).toBe(`registry 127.0.0.1:${PORTS.down} refuses connections at http://127.0.0.1:${PORTS.down}: start it, or point the push at a registry that runs`);
    const broken = join(work, 'broken');
    execFileSync('cp', ['-r', layoutDir, broken]);
    const blobs = join(broken, 'blobs', 'sha256');
    const largest = execFileSync('sh', ['-c', `ls -S ${blobs} | head -1`], { encoding: 'utf8' }).trim();
    rmSync(join(blobs, largest));
    const missing = await failure(push(host, { layoutDir: broken, repository: 'broken' }).done);
    expect(missing).toContain(`blob sha256:${largest} (application/vnd.oci.image.layer.v1.tar+gzip, of the image in e2e/broken) is missing from the layout`);
    expect(await tags(host, 'e2e/broken')).toEqual([]);
  });

  it('refuses an invalid repository name in one line', async () => {
    const message = await failure(push(host, { repository: 'Hello_' }).done);
    expect(message).toBe('image name "Hello_:latest": "Hello_" is not a valid repository name part: use lower-case letters and digits, with ".", "_", "__" or "-" only between them');
    expect(await tags(host, 'e2e/hello')).toEqual(['latest']);
  });
});

describe('htpasswd registry', () => {
  let host: string;
  beforeAll(async () => {
    ({ host } = await registry(PORTS.htpasswd, { htpasswd: HTPASSWD_USER.line }));
  });

  it('refuses bad credentials in one line, naming the host and how to log in, and moves no tag', async () => {
    const message = await failure(push(host, { credentials: { username: 'ci', password: 'wrong-password', source: 'auths in the test' } }).done);
    expect(message).toBe(`registry ${host} refused the credentials from auths in the test (/v2/): run \`docker login ${host}\` again, or fix them there`);
    expect(message).not.toContain('wrong-password');
    const anonymous = await failure(push(host).done);
    expect(anonymous).toMatch(new RegExp(`^registry ${host.replace(/\./g, '\\.')} wants credentials and none were found for it`));
    expect(await tags(host, 'e2e/hello', htpasswdUser)).toEqual([]);
  });

  it('pushes with the credentials of the Docker config', async () => {
    const config = join(work, 'htpasswd-config');
    mkdirSync(config);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${HTPASSWD_USER.username}:${HTPASSWD_USER.password}`).toString('base64') } } }));
    const result = await push(host, { env: { ...env, DOCKER_CONFIG: config } }).done;
    expect(result.blobs.uploaded).toBe(2);
    expect(await tags(host, 'e2e/hello', htpasswdUser)).toEqual(['latest']);
  });
});

describe('token registry', () => {
  let host: string;
  beforeAll(async () => {
    issuer = await startTokenIssuer(PORTS.issuer, { ...HTPASSWD_USER, refreshToken: REFRESH_TOKEN });
    ({ host } = await registry(PORTS.token, { token: { realm: issuer.realm, service: issuer.service, issuer: issuer.issuer, rootCertBundle: issuer.certPath } }));
  });

  it('pushes with a token the issuer gives for the credentials it checks', async () => {
    issuer!.requests.length = 0;
    const result = await push(host, { credentials: htpasswdUser, mountFrom: ['base'] }).done;
    expect(result.blobs.uploaded).toBe(2);
    // One token for the whole push, for every scope it needs.
    expect(issuer!.requests).toEqual(['GET user repository:e2e/hello:pull,push repository:e2e/base:pull']);
  });

  it('pushes with an identity token, exchanged as an OAuth2 refresh token', async () => {
    const result = await push(host, { credentials: { identityToken: REFRESH_TOKEN, source: 'the test' }, tags: ['shared'], repository: 'other', mountFrom: ['hello'] }).done;
    expect(result.blobs).toEqual({ total: 2, uploaded: 1, existing: 0, mounted: 1 });
    expect(issuer!.requests.at(-1)).toBe('POST refresh repository:e2e/other:pull,push repository:e2e/hello:pull');
  });

  it('says in one line that the token service refused the credentials, and moves no tag', async () => {
    const message = await failure(push(host, { credentials: { username: 'ci', password: 'nope-secret', source: 'auths in the test' }, repository: 'refused' }).done);
    expect(message).toBe(`registry ${host} refused the credentials from auths in the test (${issuer!.realm}): run \`docker login ${host}\` again, or fix them there`);
    expect(message).not.toContain('nope-secret');
    expect(await tags(host, 'e2e/refused', htpasswdUser)).toEqual([]);
  });
});

describe('credential helpers', () => {
  let host: string;
  let bin: string;
  let helperEnv: (helper: string) => NodeJS.ProcessEnv;
  beforeAll(async () => {
    ({ host } = await registry(PORTS.helper, { htpasswd: HTPASSWD_USER.line }));
    bin = join(work, 'bin');
    mkdirSync(bin);
    const script = (name: string, body: string) => {
      writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    };
    // Answers only for this registry, and leaves a mark that it was asked.
    script(
      'microboxtest',
      `read url\ntouch "${join(work, 'helper-was-asked')}"\nif [ "$1" = get ] && [ "$url" = "${host}" ]; then printf '{"ServerURL":"%s","Username":"${HTPASSWD_USER.username}","Secret":"${HTPASSWD_USER.password}"}' "$url"; else echo "credentials not found in native keychain"; exit 1; fi`,
    );
    script('microboxbroken', 'echo "cannot reach the keychain daemon" >&2\nexit 4');
    helperEnv = (helper: string) => {
      const config = mkdtempSync(join(work, 'helper-config-'));
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [host]: {} }, credHelpers: { [host]: helper } }));
      return { ...env, DOCKER_CONFIG: config, PATH: `${bin}${delimiter}${process.env.PATH}` };
    };
  });

  it('says in one line that a helper is missing or fails, and moves no tag', async () => {
    const missing = await failure(push(host, { env: helperEnv('microboxmissing') }).done);
    expect(missing).toMatch(new RegExp(`^credential helper docker-credential-microboxmissing \\(named in .*config\\.json for ${host.replace(/\./g, '\\.')}\\) is not on PATH: install it`));
    const broken = await failure(push(host, { env: helperEnv('microboxbroken') }).done);
    expect(broken).toBe(`credential helper docker-credential-microboxbroken failed for ${host} (exit 4: cannot reach the keychain daemon): run it by hand (echo ${host} | docker-credential-microboxbroken get) to see why, or log in again`);
    expect(await tags(host, 'e2e/hello', htpasswdUser)).toEqual([]);
  });

  it('pushes with the credentials docker-credential-microboxtest gives', async () => {
    const result = await push(host, { env: helperEnv('microboxtest') }).done;
    expect(existsSync(join(work, 'helper-was-asked'))).toBe(true);
    expect(result.blobs.uploaded).toBe(2);
    expect(await tags(host, 'e2e/hello', htpasswdUser)).toEqual(['latest']);
  });
});
