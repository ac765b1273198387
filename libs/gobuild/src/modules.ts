import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseGoMod } from './gomod';

/** The workspace's root module files, which every package of the root module is built with. */
export const ROOT_MODULE_FILES = ['go.mod', 'go.sum', 'go.work', 'go.work.sum'];

/**
 * A Go project folder with a go.mod of its own: a module apart from the
 * workspace's root module, as a service brought in from elsewhere usually is.
 */
export interface OwnModule {
  /** Workspace-relative folder of the go.mod (the project's root). */
  dir: string;
  /** The module path its go.mod declares. */
  path?: string;
  /**
   * Workspace-relative go.mod files of the workspace folders its `replace`
   * directives point at (`go.mod` for a replace of the root module): their
   * requirements take part in its build, so they are its inputs too.
   */
  replacedGoMods: string[];
}

/** The project's own module, or undefined when its folder has no go.mod (it is a package of the root module). */
export function readOwnModule(workspaceRoot: string, projectRoot: string): OwnModule | undefined {
  const dir = posix.normalize(projectRoot).replace(/\/$/, '');
  if (dir === '.' || dir === '') return undefined;
  const file = join(workspaceRoot, dir, 'go.mod');
  if (!existsSync(file)) return undefined;
  const mod = parseGoMod(readFileSync(file, 'utf8'));
  const replacedGoMods: string[] = [];
  for (const r of mod.replaces) {
    if (!r.local || r.newPath.startsWith('/')) continue;
    const target = posix.normalize(posix.join(dir, r.newPath)).replace(/\/$/, '');
    if (target === '..' || target.startsWith('../')) continue; // outside the workspace
    const goMod = target === '.' ? 'go.mod' : `${target}/go.mod`;
    if (!replacedGoMods.includes(goMod)) replacedGoMods.push(goMod);
  }
  return { dir, path: mod.module, replacedGoMods: replacedGoMods.sort() };
}

/**
 * Workspace-relative files, outside the project's own folder, that decide
 * which module versions its build uses: the root module's go.mod, go.sum and
 * go.work files for a package of the root module; for a project with its own
 * module, the go.mod of every workspace folder it replaces and the root's
 * go.work files (the go command looks for a go.work in every parent folder).
 * An own module's go.mod and go.sum are in its folder, among its sources.
 */
export function moduleFilesOutside(own: OwnModule | undefined): string[] {
  if (!own) return ROOT_MODULE_FILES;
  return [...new Set([...own.replacedGoMods, 'go.work', 'go.work.sum'])];
}
