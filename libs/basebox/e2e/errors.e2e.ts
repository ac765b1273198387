import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../image/src/engine';
import { imageExists } from '../../image/src/build';
import { buildBasebox, type BaseboxOptions } from '../src/build';
import { debCacheDir, debFileName, fetchDeb } from '../src/debs';
import { ALPINE_IMAGE } from '../src/flavours/alpine';
import { readLock } from '../src/lock';
import { consulTemplatePath, LOCK_FILE, removeAll, tagged, testTag } from './helpers';

const TAG = testTag('basebox-error');
let work: string;
let consulTemplate: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-errors-'));
  consulTemplate = await consulTemplatePath();
});

afterAll(async () => {
  await removeAll([], [TAG]);
  await rm(work, { recursive: true, force: true });
});

/** The build's error message; the build must fail, on one line, and tag nothing. */
async function failure(overrides: Partial<BaseboxOptions>): Promise<string> {
  const options: BaseboxOptions = {
    flavour: 'debian',
    consulTemplate,
    lockFile: LOCK_FILE,
    recordFile: join(work, 'record.json'),
    tags: [TAG],
    log: () => {},
    ...overrides,
  };
  const message = await buildBasebox(options).then(
    () => 'the build succeeded',
    (err: Error) => err.message,
  );
  expect(message).not.toContain('\n');
  expect(await tagged(TAG)).toBe(false);
  return message;
}

describe('a basebox build that cannot be done', () => {
  it('names a bad flavour and the good ones', async () => {
    expect(await failure({ flavour: 'arch' })).toBe('unknown basebox flavour "arch": use one of debian, alpine');
  });

  it('names a missing consul-template binary and how to build it', async () => {
    expect(await failure({ consulTemplate: '/nonexistent/consul-template' })).toBe(
      'consul-template binary /nonexistent/consul-template does not exist: run `npm run bootstrap` to build it, or pass consulTemplate=<path to a static build>',
    );
  });

  it('stops on a .deb whose sha256 is not the pinned one', async () => {
    const lock = await readLock(LOCK_FILE);
    const cache = join(work, 'debs');
    await mkdir(cache);
    for (const pkg of lock.packages) {
      await fetchDeb(pkg, debCacheDir(), LOCK_FILE);
      await copyFile(join(debCacheDir(), debFileName(pkg)), join(cache, debFileName(pkg)));
    }
    const busybox = lock.packages.find((p) => p.name === 'busybox')!;
    await appendFile(join(cache, debFileName(busybox)), 'tampered');
    expect(await failure({ debCache: cache })).toMatch(
      new RegExp(
        `^${join(cache, debFileName(busybox)).replace(/[.+]/g, '\\$&')} has sha256 [0-9a-f]{64}, but .*debian\\.lock\\.json pins ${busybox.sha256} for busybox=.*: delete that file to download it again, or run \`nx run basebox:lock\` if the archive really changed$`,
      ),
    );
  });

  it('says a pinned version the archive no longer serves is stale, and names the command that refreshes the lock', async () => {
    const lock = JSON.parse(await readFile(LOCK_FILE, 'utf8')) as { packages: { name: string; version: string }[] };
    lock.packages.find((p) => p.name === 's6')!.version = '2.11.3.2-0stale1';
    const staleLock = join(work, 'stale.lock.json');
    await writeFile(staleLock, JSON.stringify(lock));
    // The shared cache: the other packages come from it; the stale one is not in it and apt is asked.
    expect(await failure({ lockFile: staleLock, debCache: debCacheDir() })).toBe(
      `s6=2.11.3.2-0stale1, pinned in ${staleLock}, is not served by this machine's apt sources: run \`apt-get update\` as root and try again; if it is still missing, the archive no longer serves it: run \`nx run basebox:lock\` to pin the versions it serves`,
    );
  });

  it('names a daemon that is not there', async () => {
    const socket = join(work, 'no-engine.sock');
    expect(await failure({ env: { DOCKER_HOST: `unix://${socket}` } })).toBe(
      `the Docker engine at unix://${socket} does not answer (ENOENT): start that engine, or unset DOCKER_HOST to use the local one`,
    );
  });

  it('names a daemon that accepts but never answers', async () => {
    const socket = join(work, 'silent-engine.sock');
    const server: Server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await failure({ env: { DOCKER_HOST: `unix://${socket}` } })).toMatch(
        new RegExp(`^the Docker engine at unix://${socket.replace(/[.]/g, '\\.')} does not answer \\(.+\\): start that engine, or unset DOCKER_HOST to use the local one$`),
      );
    } finally {
      server.close();
    }
  });

  it('says the alpine flavour needs a registry, and does not fall back to debian', async () => {
    if (await imageExists(await connectEngine(), ALPINE_IMAGE)) return; // alpine is here: it would build
    expect(await failure({ flavour: 'alpine' })).toMatch(
      new RegExp(`^flavour alpine builds FROM ${ALPINE_IMAGE.replace('.', '\\.')}, which the daemon at .* does not have and cannot pull \\(.+\\): build it where a registry is reachable, or use flavour debian$`),
    );
  });
});
