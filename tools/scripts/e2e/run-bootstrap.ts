import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

export interface BootstrapRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the bootstrap exactly as the README's commands do. */
export function runBootstrap(env: NodeJS.ProcessEnv = {}): BootstrapRun {
  const started = Date.now();
  const res = spawnSync(process.execPath, [join(workspaceRoot, 'tools/scripts/bootstrap.mjs')], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, ms: Date.now() - started };
}
