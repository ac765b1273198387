import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFiles, writeGoFixture } from '../../../libs/gobuild/src/testing/go-fixture';
import { isolatedNxEnv } from './nx-env';

/** The real workspace this test runs in: its Nx config, plugin and node_modules are reused. */
export const MAIN = resolve(__dirname, '../../..');

export interface FixtureClone {
  /** The clone's folder: run nx here. */
  dir: string;
  git(...args: string[]): string;
  /** Commits everything, with a fixed identity. */
  commit(message: string): void;
  /** Runs nx in the clone without the daemon; returns stdout (and stderr on failure, as an error). */
  nx(...args: string[]): string;
  cleanup(): void;
}

/**
 * A fixture Go workspace (two services sharing a package, a replace
 * directive, nested packages) with a copy of this workspace's Nx setup:
 * nx.json, package.json, tsconfig.base.json, the plugin and the libraries
 * its Go graph and go-build import, and node_modules as a symlink. Committed in an origin
 * repository and cloned, so `nx affected` works on a real history. `extra`
 * files are laid over the fixture before the first commit.
 */
export function makeFixtureClone(extra: Record<string, string> = {}): FixtureClone {
  const base = mkdtempSync(join(tmpdir(), 'nx-go-affected-'));
  const origin = join(base, 'origin');
  const dir = join(base, 'clone');
  writeGoFixture(origin);
  writeFiles(origin, extra);
  for (const f of ['nx.json', 'package.json', 'package-lock.json', 'tsconfig.base.json']) cpSync(join(MAIN, f), join(origin, f));
  for (const d of ['tools/nx-microbox', 'libs/gobuild', 'libs/elf', 'libs/checksum']) {
    cpSync(join(MAIN, d), join(origin, d), { recursive: true, filter: (src) => !/\/(node_modules|e2e)(\/|$)/.test(src) });
  }
  writeFileSync(join(origin, '.gitignore'), 'node_modules\ndist/\n.nx/\n');
  const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  gitIn(origin, 'init', '-q', '-b', 'main');
  gitIn(origin, 'add', '-A');
  gitIn(origin, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'fixture workspace');
  execFileSync('git', ['clone', '-q', origin, dir]);
  symlinkSync(join(MAIN, 'node_modules'), join(dir, 'node_modules'));

  const env = isolatedNxEnv(dir);
  return {
    dir,
    git: (...args) => gitIn(dir, ...args),
    commit(message) {
      gitIn(dir, 'add', '-A');
      gitIn(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', message);
    },
    nx(...args) {
      const r = spawnSync(join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
