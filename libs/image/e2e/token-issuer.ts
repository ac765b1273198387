import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenIssuer {
  /** `http://127.0.0.1:<port>/token`: the registry's `auth.token.realm`. */
  realm: string;
  service: string;
  issuer: string;
  /** The self-signed certificate the registry trusts (`rootcertbundle`). */
  certPath: string;
  /** `GET user` or `POST refresh` and the scopes of every token request, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A small token service for the registry's `auth: token:` mode: an RSA key
 * and a self-signed certificate made with the openssl CLI in a temp folder;
 * JWTs signed RS256 whose header carries the certificate as `x5c`, which
 * distribution 2.8 checks against `rootcertbundle` (a `kid` would have to be
 * libtrust's fingerprint of the key). It grants the scopes asked for to one
 * user (Basic credentials on GET) and to one refresh token (OAuth2 POST),
 * and answers 401 to anyone else.
 */
export async function startTokenIssuer(
  port: number,
  { username, password, refreshToken }: { username: string; password: string; refreshToken: string },
): Promise<TokenIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-token-issuer-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=microbox-e2e-token-issuer'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the token issuer's key and certificate: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = readFileSync(certPath, 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const service = 'microbox-e2e-registry';
  const issuer = 'microbox-e2e-issuer';
  const requests: string[] = [];

  const token = (subject: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')), scope.slice(scope.lastIndexOf(':') + 1)];
      return type === 'repository' ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
    return `${header}.${claims}.${signature}`;
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    if (req.method === 'POST') {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      requests.push(`POST refresh ${scopes.join(' ')}`);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken || form.get('service') !== service) {
        return void res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_grant"}');
      }
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token('refresh-user', scopes), expires_in: 300 }));
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push(`GET ${req.headers.authorization ? 'user' : 'anonymous'} ${scopes.join(' ')}`);
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    if (req.headers.authorization !== expected || url.searchParams.get('service') !== service) {
      return void res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: token(username, scopes), expires_in: 300 }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
