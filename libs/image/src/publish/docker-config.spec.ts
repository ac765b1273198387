import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerConfigPath, registryAuth } from './docker-config';

let dir: string;
function withConfig(config: unknown): NodeJS.ProcessEnv {
  dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return { DOCKER_CONFIG: dir };
}
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('registryAuth', () => {
  it('reads auths[host].auth as base64 user:password, whatever form the key has', () => {
    const env = withConfig({ auths: { 'https://registry.example.com/v1/': { auth: b64('ci:pa:ss') } } });
    expect(registryAuth('registry.example.com', env)).toEqual({ username: 'ci', password: 'pa:ss', serveraddress: 'registry.example.com' });
  });

  it("finds Docker Hub under its legacy key, and identity tokens", () => {
    const env = withConfig({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'tok' } } });
    expect(registryAuth('docker.io', env)).toEqual({ identitytoken: 'tok', serveraddress: 'https://index.docker.io/v1/' });
  });

  it('is anonymous with no file or no entry', () => {
    expect(registryAuth('127.0.0.1:5000', { DOCKER_CONFIG: join(tmpdir(), 'no-such-docker-config') })).toBeUndefined();
    expect(registryAuth('127.0.0.1:5000', withConfig({ auths: { 'ghcr.io': { auth: b64('a:b') } }, credsStore: 'desktop' }))).toBeUndefined();
  });

  it('refuses credential helpers by name, and a broken file', () => {
    expect(() => registryAuth('ghcr.io', withConfig({ credHelpers: { 'ghcr.io': 'gcloud' } }))).toThrow(
      /credential helper "docker-credential-gcloud", which microbox does not support: put them in auths\["ghcr.io"\]\.auth/,
    );
    expect(() => registryAuth('ghcr.io', withConfig({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }))).toThrow('docker-credential-desktop');
    expect(() => registryAuth('ghcr.io', withConfig('{nope'))).toThrow(/config\.json is not valid JSON/);
    expect(() => registryAuth('ghcr.io', withConfig({ auths: { 'ghcr.io': { auth: b64('nocolon') } } }))).toThrow('is not base64 of user:password');
  });

  it('looks in DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json');
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });
});
