import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../stack/src/free-port';
import type { Credentials } from './credentials';
import { MEDIA_TYPES } from '../media-types';
import { DEFAULT_RETRY, RegistryClient, isLoopbackHost, registryErrors } from './registry-client';

const OCI_MANIFEST = MEDIA_TYPES.manifest;
import { startFakeRegistry, type FakeRegistry } from './testing/fake-registry';

const FAST = { attempts: 4, baseDelayMs: 10, maxDelayMs: 100 };
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let registry: FakeRegistry;
beforeEach(async () => {
  registry = await startFakeRegistry();
});
afterEach(() => registry.close());

function client(credentials?: Credentials, retries: { what: string; delayMs: number; why: string }[] = []) {
  return new RegistryClient({
    host: registry.host,
    credentials: async () => credentials,
    scopes: ['repository:greeter:pull,push'],
    retry: FAST,
    onRetry: (what, _attempt, delayMs, why) => retries.push({ what, delayMs, why }),
  });
}

describe('RegistryClient transport', () => {
  it('speaks plain HTTP to loopback and HTTPS elsewhere unless told insecure', () => {
    const make = (host: string, insecure?: boolean) => new RegistryClient({ host, insecure, credentials: async () => undefined, scopes: [] }).baseUrl;
    expect(make('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(make('localhost')).toBe('http://localhost');
    expect(make('127.9.8.7:1')).toBe('http://127.9.8.7:1');
    expect(make('ghcr.io')).toBe('https://ghcr.io');
    expect(make('docker.io')).toBe('https://registry-1.docker.io');
    expect(make('127.example.com')).toBe('https://127.example.com');
    expect(make('10.0.0.5:5000', true)).toBe('http://10.0.0.5:5000');
    expect(isLoopbackHost('[::1]:5000')).toBe(true);
  });

  it('tries 429 and 5xx again with doubling waits, Retry-After within the bound', async () => {
    const answers = [503, 502, 429];
    registry.intercept = (req, res) => {
      if (req.url !== '/v2/' || answers.length === 0) return false;
      const status = answers.shift()!;
      res.writeHead(status, status === 429 ? { 'Retry-After': '1' } : {}).end();
      return true;
    };
    const retries: { what: string; delayMs: number; why: string }[] = [];
    await client(undefined, retries).ping();
    expect(retries).toEqual([
      { what: 'the registry check', delayMs: 10, why: 'HTTP 503' },
      { what: 'the registry check', delayMs: 20, why: 'HTTP 502' },
      // Retry-After: 1 (s) is cut to the policy's longest wait.
      { what: 'the registry check', delayMs: 100, why: 'HTTP 429' },
    ]);
  });

  it('gives up after the policy’s tries, with the registry’s own error', async () => {
    registry.intercept = (_req, res) => {
      res.writeHead(503).end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'storage is down' }] }));
      return true;
    };
    const retries: { what: string; delayMs: number; why: string }[] = [];
    await expect(client(undefined, retries).ping()).rejects.toThrow(`registry ${registry.host} refused the registry check (GET /v2/): HTTP 503 UNAVAILABLE storage is down`);
    expect(retries).toHaveLength(FAST.attempts - 1);
    expect(registry.log).toHaveLength(FAST.attempts);
    expect(DEFAULT_RETRY).toEqual({ attempts: 5, baseDelayMs: 250, maxDelayMs: 4000 });
  });

  it('tries a reset connection again', async () => {
    let resets = 1;
    registry.intercept = (req, res) => {
      if (req.url !== '/v2/' || resets-- <= 0) return false;
      res.socket?.destroy();
      return true;
    };
    const retries: { what: string; delayMs: number; why: string }[] = [];
    await client(undefined, retries).ping();
    expect(retries.map((r) => r.why)).toEqual(['UND_ERR_SOCKET']);
  });

  it('says in one line that nothing listens, at once', async () => {
    const port = await freePort();
    const down = new RegistryClient({ host: `127.0.0.1:${port}`, credentials: async () => undefined, scopes: [] });
    const started = Date.now();
    await expect(down.ping()).rejects.toThrow(`registry 127.0.0.1:${port} refuses connections at http://127.0.0.1:${port}: start it, or point the push at a registry that runs`);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('RegistryClient calls', () => {
  it('uploads, finds, mounts and puts a manifest whose digest it checks', async () => {
    const c = client();
    const blob = Buffer.from('layer bytes');
    expect(await c.blobExists('greeter', sha(blob))).toBe(false);
    await c.uploadBlob('greeter', sha(blob), blob.length, () => blob);
    expect(await c.blobExists('greeter', sha(blob))).toBe(true);
    expect(await c.mountBlob('other', sha(blob), 'greeter')).toBe(true);
    expect(await c.mountBlob('other', sha(Buffer.from('nope')), 'greeter')).toMatch(new RegExp(`^http://${registry.host}/v2/other/blobs/uploads/`));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: sha(blob) }, layers: [] }));
    expect(await c.putManifest('greeter', 'latest', manifest, OCI_MANIFEST)).toBe(sha(manifest));
    expect(registry.manifests.get('greeter:latest')?.mediaType).toBe(OCI_MANIFEST);
  });

  it('starts a new upload when a PUT fails with 5xx', async () => {
    let failures = 1;
    registry.intercept = (req, res) => {
      if (req.method !== 'PUT' || failures-- <= 0) return false;
      res.writeHead(500).end();
      return true;
    };
    const blob = Buffer.from('x');
    await client().uploadBlob('greeter', sha(blob), 1, () => blob);
    expect(registry.log.filter((l) => l.startsWith('POST'))).toHaveLength(2);
    expect(registry.blobs.get('greeter')?.has(sha(blob))).toBe(true);
  });

  it('starts a new upload when the connection drops during the PUT', async () => {
    let drops = 1;
    registry.intercept = (req, res) => {
      if (req.method !== 'PUT' || drops-- <= 0) return false;
      res.socket?.destroy();
      return true;
    };
    const retries: { what: string; delayMs: number; why: string }[] = [];
    const blob = Buffer.from('y');
    await client(undefined, retries).uploadBlob('greeter', sha(blob), 1, () => blob);
    expect(retries.map((r) => r.why)).toEqual(['UND_ERR_SOCKET']);
    expect(registry.log.filter((l) => l.startsWith('POST'))).toHaveLength(2);
    expect(registry.blobs.get('greeter')?.has(sha(blob))).toBe(true);
  });

  it('fetches a new token when the registry refuses an expired one', async () => {
    let issued = 0;
    let valid = 'none';
    registry.intercept = (req, res) => {
      if (req.url!.startsWith('/token')) {
        valid = `T${++issued}`;
        return void res.writeHead(200).end(JSON.stringify({ token: valid })), true;
      }
      if (req.headers.authorization === `Bearer ${valid}`) return false;
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${registry.host}/token",service="fake"` }).end();
      return true;
    };
    const c = client();
    await c.ping();
    valid = 'expired';
    await Promise.all([c.blobExists('greeter', sha(Buffer.from('a'))), c.blobExists('greeter', sha(Buffer.from('b')))]);
    // One new token, though two requests were refused with the old one.
    expect(issued).toBe(2);
  });

  it('refuses a manifest stored under another digest, and says what the registry said', async () => {
    registry.intercept = (req, res) => {
      if (req.method !== 'PUT') return false;
      res.writeHead(201, { 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` }).end();
      return true;
    };
    await expect(client().putManifest('greeter', 'latest', Buffer.from('{}'), OCI_MANIFEST)).rejects.toThrow(/stored the manifest greeter:latest as sha256:0{64}, not sha256:/);
    registry.intercept = undefined;
    const bad = Buffer.from(JSON.stringify({ config: { digest: `sha256:${'1'.repeat(64)}` } }));
    await expect(client().putManifest('greeter', 'latest', bad, OCI_MANIFEST)).rejects.toThrow(`registry ${registry.host} refused the manifest greeter:latest: HTTP 400 MANIFEST_BLOB_UNKNOWN blob unknown to registry`);
  });

  it('answers Basic and Bearer challenges, and names refused credentials in one line without the secret', async () => {
    const good = `Basic ${Buffer.from('ci:pw').toString('base64')}`;
    registry.intercept = (req, res) => {
      if (req.url!.startsWith('/token')) {
        if (req.headers.authorization !== good) return void res.writeHead(401).end(), true;
        const scope = new URL(req.url!, 'http://x').searchParams.get('scope');
        return void res.writeHead(200).end(JSON.stringify({ token: `T(${scope})` })), true;
      }
      if (req.headers.authorization === 'Bearer T(repository:greeter:pull,push)') return false;
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${registry.host}/token",service="fake"` }).end();
      return true;
    };
    await client({ username: 'ci', password: 'pw', source: 'auths' }).ping();
    const refused = (await client({ username: 'ci', password: 'WRONGSECRET', source: 'auths in /tmp/c.json' })
      .ping()
      .catch((e: Error) => e)) as Error;
    expect(refused.message).toBe(`registry ${registry.host} refused the credentials from auths in /tmp/c.json (http://${registry.host}/token): run \`docker login ${registry.host}\` again, or fix them there`);
    expect(refused.message).not.toContain('WRONGSECRET');
    await expect(client().ping()).rejects.toThrow(`registry ${registry.host} wants credentials and none were found for it`);
  });
});

describe('registryErrors', () => {
  it('joins the API’s error codes and messages, or says nothing', () => {
    expect(registryErrors('{"errors":[{"code":"DENIED","message":"no"},{"code":"X"}]}')).toBe(' DENIED no; X');
    expect(registryErrors('<html>')).toBe('');
  });
});
