import { join, posix } from 'node:path';
import { findModuleRoot, packagePattern } from './build';
import { findGo } from './find-go';
import { formatCommand, run } from './go';

export interface GoCheckOptions {
  workspaceRoot: string;
  /** Workspace-relative folder of the project; its packages are `<root>/...`. */
  root: string;
  /** More arguments for the go command, before the packages: e.g. -race, -run X, -count=1 for test; -tags, -printf=false for vet. */
  args?: string[];
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface GoCheckResult {
  success: boolean;
  code: number;
  command: string;
}

/** `./apps/greeter/...`: every package of a project folder, nested ones included. */
export function projectPackages(moduleDir: string, root: string): string {
  const base = packagePattern(moduleDir, root);
  return base === '.' ? './...' : `${base}/...`;
}

async function goTool(verb: 'test' | 'vet', o: GoCheckOptions): Promise<GoCheckResult> {
  const go = findGo(o.env ? { ...process.env, ...o.env } : process.env).path;
  const root = posix.normalize(o.root).replace(/\/$/, '');
  const mod = findModuleRoot(o.workspaceRoot, root);
  const args = [verb, ...(o.args ?? []), projectPackages(mod.dir, root)];
  const command = `${mod.dir ? `(cd ${mod.dir}) ` : ''}${formatCommand(o.env ?? {}, 'go', args)}`;
  (o.log ?? console.log)(command);
  // Go's own output goes straight through: a compile error, a failing test or
  // a vet finding reads exactly as it would in a terminal.
  const r = await run(go, args, { cwd: join(o.workspaceRoot, mod.dir), env: { ...process.env, ...o.env }, inherit: true });
  return { success: r.code === 0, code: r.code, command };
}

/** `go test` on every package of the project. */
export function goTest(o: GoCheckOptions): Promise<GoCheckResult> {
  return goTool('test', o);
}

/** `go vet` on every package of the project. */
export function goVet(o: GoCheckOptions): Promise<GoCheckResult> {
  return goTool('vet', o);
}
