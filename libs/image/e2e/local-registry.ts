import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../wait/src/wait-for';

const REGISTRY_BINARY = '/usr/bin/docker-registry';

/**
 * A user of the htpasswd registry: the line is a bcrypt hash (cost 10) of the
 * password, made once with golang.org/x/crypto/bcrypt, as registry 2.8 takes
 * only bcrypt; a fixed line keeps apache2-utils and Python's crypt out of
 * the test's prerequisites.
 */
export const HTPASSWD_USER = { username: 'ci', password: 's3cret', line: 'ci:$2a$10$kMmxnNuKaLeL54qH0KfTCOLQmQPhMgRmVDRoRPgqfb3hHv/mv/xIe' };

export type RegistryAuthMode =
  | { htpasswd: string }
  | { token: { realm: string; service: string; issuer: string; rootCertBundle: string } };

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: plain HTTP, which Docker allows on loopback without configuration. */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry (distribution 2.8) on a loopback port of the
 * test's own, its storage in a temp folder; anonymous, htpasswd (one line)
 * or token auth. stop() ends this process by its pid and removes the folder.
 */
export async function startRegistry(port: number, auth?: RegistryAuthMode): Promise<LocalRegistry> {
  if (!existsSync(REGISTRY_BINARY)) throw new Error(`${REGISTRY_BINARY} is missing: apt-get install -y docker-registry (Debian's distribution 2.8)`);
  // Something else answering on the port would be taken for this registry.
  if (await listening(port)) throw new Error(`127.0.0.1:${port} is in use: stop what listens there (a registry left by an earlier run?) or pick another port`);
  const dir = mkdtempSync(join(tmpdir(), 'e2e-registry-push-'));
  const authLines =
    auth && 'htpasswd' in auth
      ? ['auth:', '  htpasswd:', '    realm: e2e', `    path: ${join(dir, 'htpasswd')}`]
      : auth
        ? ['auth:', '  token:', `    realm: ${auth.token.realm}`, `    service: ${auth.token.service}`, `    issuer: ${auth.token.issuer}`, `    rootcertbundle: ${auth.token.rootCertBundle}`]
        : [];
  if (auth && 'htpasswd' in auth) writeFileSync(join(dir, 'htpasswd'), `${auth.htpasswd}\n`);
  const config = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ...authLines, ''];
  writeFileSync(join(dir, 'config.yml'), config.join('\n'));
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `docker-registry on 127.0.0.1:${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`it exited (${child.exitCode}): ${stderr.trim().split('\n').slice(-2).join(' ')}`);
        const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
        return res.status === 200 || res.status === 401 ? true : undefined;
      },
      { timeoutMs: 15_000 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, pid: child.pid!, stop };
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
