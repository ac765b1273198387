import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BASEBOX_ARCHITECTURES, type BaseboxArchitecture } from '../src/platforms';
import { consulTemplateFor } from '../../toolchain/src/recipes';
import { locateTool } from '../../toolchain/src/tools';

const run = promisify(execFile);

/** The docker CLI, for what a person would type to check an image. */
export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
}

export async function dockerStatus(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    return { code: 0, out: await docker(...args) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
  }
}

/** A name no other run uses, under microbox-test/ so leftovers are easy to find. */
export function testTag(what: string): string {
  return `microbox-test/${what}-${randomBytes(4).toString('hex')}:e2e`;
}

/** Removes images and containers by name, ignoring those already gone. */
export async function removeAll(containers: string[], images: string[]): Promise<void> {
  if (containers.length) await dockerStatus('rm', '-f', ...containers);
  if (images.length) await dockerStatus('rmi', ...images);
}

export async function tagged(tag: string): Promise<boolean> {
  return (await docker('images', '-q', tag)) !== '';
}

/** The bootstrap's consul-template of each architecture. */
export async function consulTemplatePaths(): Promise<Record<BaseboxArchitecture, string>> {
  const paths = {} as Record<BaseboxArchitecture, string>;
  for (const arch of BASEBOX_ARCHITECTURES) paths[arch] = (await locateTool(consulTemplateFor(arch))).path;
  return paths;
}

export const LOCK_FILE = new URL('../debian.lock.json', import.meta.url).pathname;

const WORKSPACE = new URL('../../..', import.meta.url).pathname;

/** A folder in `work` holding only a link to this node: a PATH with no apt-get, dpkg or dpkg-deb (nor anything else) to fall back on. */
export async function nodeOnlyPath(work: string): Promise<string> {
  const bin = join(work, 'bin-node-only');
  if (!existsSync(bin)) {
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
  }
  return bin;
}

/**
 * Runs a TypeScript module, given as source (import paths relative to the
 * workspace root), in a child node whose PATH holds node alone; its stdout.
 */
export async function runWithNodeOnly(work: string, name: string, source: (workspacePath: (path: string) => string) => string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const script = join(work, `${name}.ts`);
  await writeFile(script, source((path) => JSON.stringify(join(WORKSPACE, path))));
  const { stdout } = await run('node', ['--import', '@swc-node/register/esm-register', '--no-warnings', script, ...args], {
    cwd: WORKSPACE,
    env: { HOME: process.env.HOME, ...env, PATH: await nodeOnlyPath(work) },
  });
  return stdout;
}
