import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../libs/stack/src/free-port';
import { waitFor } from '../../../libs/stack/src/wait';

const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** A bcrypt hash of "s3cret" (cost 10), as the registry's htpasswd wants; made once with golang.org/x/crypto/bcrypt. */
export const TEST_USER = { username: 'ci', password: 's3cret', htpasswd: 'ci:$2a$10$kMmxnNuKaLeL54qH0KfTCOLQmQPhMgRmVDRoRPgqfb3hHv/mv/xIe' };

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: Docker pushes to loopback registries over plain HTTP without configuration. */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry (distribution 2.8) on a free loopback port, its
 * storage in a temp folder; with `auth`, it asks for TEST_USER by htpasswd.
 * stop() ends this process by its pid and removes the folder.
 */
export async function startRegistry({ auth = false } = {}): Promise<LocalRegistry> {
  if (!existsSync(REGISTRY_BINARY)) throw new Error(`${REGISTRY_BINARY} is missing: apt-get install -y docker-registry (Debian's distribution 2.8)`);
  const dir = mkdtempSync(join(tmpdir(), 'e2e-registry-'));
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(auth ? ['auth:', '  htpasswd:', '    realm: e2e', `    path: ${join(dir, 'htpasswd')}`] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  writeFileSync(join(dir, 'htpasswd'), `${TEST_USER.htpasswd}\n`);
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
        if (child.exitCode !== null) throw new Error(`it exited (${child.exitCode}): ${stderr.trim()}`);
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
