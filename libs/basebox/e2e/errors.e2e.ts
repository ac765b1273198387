import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../image/src/blob-store';
import { buildBasebox, type BaseboxOptions } from '../src/build';
import type { BaseboxArchitecture } from '../src/platforms';
import { consulTemplatePaths, LOCK_FILE } from './helpers';

let work: string;
let consulTemplate: Record<BaseboxArchitecture, string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-errors-'));
  consulTemplate = await consulTemplatePaths();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The build's error message; the build must fail, on one line, and leave no layout. */
async function failure(overrides: Partial<BaseboxOptions>): Promise<string> {
  const layoutDir = join(work, 'layout');
  const options: BaseboxOptions = {
    consulTemplate,
    lockFile: LOCK_FILE,
    store: BlobStore.forEnv(),
    layoutDir,
    layoutName: 'layout',
    log: () => {},
    ...overrides,
  };
  const message = await buildBasebox(options).then(
    () => 'the build succeeded',
    (err: Error) => err.message,
  );
  expect(message).not.toContain('\n');
  return message;
}

describe('a basebox build that cannot be done', () => {
  it('names a missing consul-template binary and how to build it', async () => {
    expect(await failure({ consulTemplate: { ...consulTemplate, arm64: '/nonexistent/consul-template' } })).toBe(
      'consul-template binary /nonexistent/consul-template does not exist: run `npm run bootstrap` to build it, or pass consulTemplate.arm64=<path to a static build>',
    );
  });

  it('refuses a consul-template of another architecture, naming both, and writes no layout', async () => {
    expect(await failure({ consulTemplate: { amd64: consulTemplate.amd64, arm64: consulTemplate.amd64 } })).toBe(
      `consul-template binary ${consulTemplate.amd64} is for x86-64, not AArch64 (arm64): build it with GOARCH=arm64, or pass the arm64 build as consulTemplate.arm64`,
    );
    expect(await failure({ consulTemplate: { amd64: consulTemplate.arm64, arm64: consulTemplate.arm64 } })).toBe(
      `consul-template binary ${consulTemplate.arm64} is for AArch64, not x86-64 (amd64): build it with GOARCH=amd64, or pass the amd64 build as consulTemplate.amd64`,
    );
    expect(existsSync(join(work, 'layout'))).toBe(false);
  });

  it('refuses a consul-template that is not a static ELF', async () => {
    const script = join(work, 'consul-template.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    await chmod(script, 0o755);
    expect(await failure({ consulTemplate: { ...consulTemplate, amd64: script } })).toBe(`consul-template binary ${script} is not an ELF executable: run \`npm run bootstrap\` to build it again`);
  });

  it('names a layout folder it cannot write, and leaves the old layout whole', async () => {
    const parent = join(work, 'not-a-folder');
    await writeFile(parent, 'a file where a folder should be');
    const message = await failure({ layoutDir: join(parent, 'layout') });
    expect(message).toContain(join(parent, 'layout'));
  });

  it('names a lock file that cannot be read', async () => {
    const missing = join(work, 'none', 'debian.lock.json');
    await mkdir(join(work, 'none'), { recursive: true });
    expect(await failure({ lockFile: missing })).toBe(`the lock file ${missing} cannot be read: run \`nx run basebox:lock\` to write it`);
  });
});
