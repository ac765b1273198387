import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerConfigPath, resolveCredentials } from './credentials';

const SECRET = 'hunter2-SECRET-value';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A DOCKER_CONFIG folder holding `config`, and a bin folder on PATH for helper scripts. */
function setup(config: unknown, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'credentials-spec-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  for (const [name, script] of Object.entries(helpers)) {
    const path = join(dir, `docker-credential-${name}`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
  }
  return { DOCKER_CONFIG: dir, PATH: `${dir}${delimiter}/usr/bin${delimiter}/bin` };
}

/** A helper that answers only for `host`, after checking it was asked with `get` and the URL on stdin. */
const answering = (host: string, username: string, secret: string) =>
  `[ "$1" = get ] || exit 3\nread url\nif [ "$url" = "${host}" ]; then printf '{"ServerURL":"%s","Username":"${username}","Secret":"${secret}"}' "$url"; else echo "credentials not found in native keychain"; exit 1; fi`;

describe('resolveCredentials', () => {
  it('reads auths: base64 user:password under any key form, username+password, identitytoken', async () => {
    expect(await resolveCredentials('registry.example.com', setup({ auths: { 'https://registry.example.com/v1/': { auth: b64(`ci:${SECRET}:x`) } } }))).toMatchObject({
      username: 'ci',
      password: `${SECRET}:x`,
    });
    expect(await resolveCredentials('r.example.com', setup({ auths: { 'r.example.com': { username: 'u', password: 'p' } } }))).toMatchObject({ username: 'u', password: 'p' });
    expect(await resolveCredentials('docker.io', setup({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'tok' } } }))).toMatchObject({ identityToken: 'tok' });
  });

  it('is anonymous with no file, no entry, or an empty entry', async () => {
    expect(await resolveCredentials('127.0.0.1:5000', { DOCKER_CONFIG: join(tmpdir(), 'no-such-docker-config') })).toBeUndefined();
    expect(await resolveCredentials('127.0.0.1:5000', setup({ auths: { 'ghcr.io': { auth: b64('a:b') } } }))).toBeUndefined();
    expect(await resolveCredentials('ghcr.io', setup({ auths: { 'ghcr.io': {} } }))).toBeUndefined();
  });

  it('asks credHelpers[host] first, then credsStore, then auths', async () => {
    const helpers = { one: answering('r.example.com', 'from-one', 's1'), store: answering('r.example.com', 'from-store', 's2') };
    const auths = { 'r.example.com': { auth: b64('from-auths:s3') } };
    expect(await resolveCredentials('r.example.com', setup({ credHelpers: { 'r.example.com': 'one' }, credsStore: 'store', auths }, helpers))).toEqual({
      username: 'from-one',
      password: 's1',
      source: 'docker-credential-one',
    });
    expect(await resolveCredentials('r.example.com', setup({ credHelpers: { 'other.example.com': 'one' }, credsStore: 'store', auths }, helpers))).toMatchObject({ username: 'from-store' });
    expect(await resolveCredentials('r.example.com', setup({ credHelpers: { 'other.example.com': 'one' }, auths }, helpers))).toMatchObject({ username: 'from-auths' });
  });

  it('takes a helper Username of <token> as an identity token, and "credentials not found" as anonymous', async () => {
    const env = setup({ credsStore: 'tok' }, { tok: answering('r.example.com', '<token>', SECRET) });
    expect(await resolveCredentials('r.example.com', env)).toEqual({ identityToken: SECRET, source: 'docker-credential-tok' });
    expect(await resolveCredentials('elsewhere.example.com', env)).toBeUndefined();
  });

  it('says in one line, without the secret, that a helper is missing or failed', async () => {
    const missing = setup({ credHelpers: { 'r.example.com': 'absent' } });
    await expect(resolveCredentials('r.example.com', missing)).rejects.toThrow(/^credential helper docker-credential-absent \(named in .*config\.json for r\.example\.com\) is not on PATH: install it/);
    const failing = setup({ credsStore: 'broken' }, { broken: `echo "token endpoint unreachable" >&2\necho second line >&2\nexit 2` });
    const error = await resolveCredentials('r.example.com', failing).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^credential helper docker-credential-broken failed for r\.example\.com \(exit 2: token endpoint unreachable\): run it by hand/);
    expect((error as Error).message).not.toContain('\n');
    const garbled = setup({ credsStore: 'garbled' }, { garbled: `echo "not json ${SECRET}"` });
    const said = ((await resolveCredentials('r.example.com', garbled).catch((e: Error) => e)) as Error).message;
    expect(said).toMatch(/answered for r\.example\.com with something that is not JSON/);
    expect(said).not.toContain(SECRET);
  });

  it('names the file and the position of bad JSON, never its text', async () => {
    const text = `{\n  "auths": {\n    "r.example.com": { "auth": "${b64(`ci:${SECRET}`)}" oops }\n  }\n}`;
    const said = ((await resolveCredentials('r.example.com', setup(text)).catch((e: Error) => e)) as Error).message;
    expect(said).toMatch(/^Docker config .*config\.json is not valid JSON \(at line 3 column \d+\): fix it/);
    expect(said).not.toContain(b64(`ci:${SECRET}`));
    expect(said).not.toContain('oops');
    const bad = setup({ auths: { 'r.example.com': { auth: b64(SECRET) } } });
    const badSaid = ((await resolveCredentials('r.example.com', bad).catch((e: Error) => e)) as Error).message;
    expect(badSaid).toContain('is not base64 of user:password');
    expect(badSaid).not.toContain(SECRET);
    expect(badSaid).not.toContain(b64(SECRET));
  });

  it('looks in DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json');
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });
});
