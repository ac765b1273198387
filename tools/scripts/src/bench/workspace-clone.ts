import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './run';

export interface BenchClone {
  dir: string;
  /** How many files of the workspace's working tree (edits not committed yet) the clone took over HEAD. */
  overlaid: number;
  /** The basebox tag the clone's images use, so the daemon's microbox/basebox tags are never moved. */
  baseboxTag: string;
  /** nx in the clone; `daemon` picks NX_DAEMON (containers and CI run without it, laptops with it). */
  nx(args: readonly string[], o?: { daemon?: boolean }): Promise<string>;
  commit(message: string): void;
  cleanup(): Promise<void>;
}

/** Paths (from the workspace root) where the working tree differs from HEAD: changed, added, deleted, untracked and not ignored. */
function workingTreeChanges(workspace: string): string[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).split('\0').filter(Boolean);
  return [...new Set([...git('diff', 'HEAD', '--name-only', '-z'), ...git('ls-files', '--others', '--exclude-standard', '-z')])];
}

/**
 * A git clone of the workspace's HEAD in a temp folder, node_modules
 * symlinked, so the bench never modifies the real workspace. With
 * `workingTree`, the working tree's edits that are not committed yet are
 * copied over HEAD and committed in the clone: the bench then measures the
 * workspace as it is (several people edit it at once). Its basebox is
 * tagged with a name of its own (the daemon is shared). The Nx cache and
 * workspace data are the clone's own; the blob store and the Go build cache
 * are the machine's.
 */
export function cloneWorkspace(workspace: string, o: { workingTree: boolean }): BenchClone {
  const base = mkdtempSync(join(tmpdir(), 'microbox-bench-'));
  const dir = join(base, 'ws');
  execFileSync('git', ['clone', '-q', workspace, dir]);
  symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'));
  const commit = (message: string) => {
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', message], { cwd: dir });
  };
  const changed = o.workingTree ? workingTreeChanges(workspace) : [];
  for (const path of changed) {
    const from = join(workspace, path);
    const to = join(dir, path);
    if (existsSync(from)) {
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
    } else rmSync(to, { force: true });
  }
  if (changed.length) commit(`bench: the workspace's ${changed.length} uncommitted file(s)`);

  const baseboxTag = `microbox-bench/basebox:${process.pid}`;
  const projectFile = join(dir, 'libs/basebox/project.json');
  const project = JSON.parse(readFileSync(projectFile, 'utf8'));
  project.targets.layout.options.tags = [baseboxTag];
  writeFileSync(projectFile, JSON.stringify(project, null, 2) + '\n');
  commit('bench: a basebox tag of its own');

  const envFor = (daemon: boolean): NodeJS.ProcessEnv => ({
    ...process.env,
    NX_DAEMON: daemon ? 'true' : 'false',
    // Nx 23 shares one cache and task database among all checkouts of a
    // workspace (~/.nx, keyed by its git identity): the clone keeps its own,
    // so no other run's entries answer for it and none of its own outlive it.
    NX_CACHE_DIRECTORY: join(dir, '.nx/cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx/workspace-data'),
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });
  const nx = (args: readonly string[], o: { daemon?: boolean } = {}) => run(join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, env: envFor(o.daemon ?? false) });
  return {
    dir,
    overlaid: changed.length,
    baseboxTag,
    nx,
    commit,
    async cleanup() {
      // A daemon started by a daemon-on measurement would outlive the folder.
      await nx(['daemon', '--stop'], { daemon: true }).catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}
