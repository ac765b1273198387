import { posix } from 'node:path';

/** A replace directive: `old [version] => new [version]`. */
export interface Replace {
  oldPath: string;
  oldVersion?: string;
  newPath: string;
  newVersion?: string;
  /** True when the replacement is a folder (`./x`, `../x`, `/abs`), not a module. */
  local: boolean;
}

export interface GoModFile {
  module?: string;
  go?: string;
  replaces: Replace[];
  /** go.work only: the `use` folders. */
  uses: string[];
}

/** Splits one line of go.mod into tokens: words and "quoted" or `raw` strings, without comments. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (line.startsWith('//', i)) {
      break;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        s += line[j++];
      }
      tokens.push(s);
      i = j + 1;
    } else if (c === '`') {
      const j = line.indexOf('`', i + 1);
      tokens.push(line.slice(i + 1, j < 0 ? line.length : j));
      i = j < 0 ? line.length : j + 1;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < line.length && !' \t\r()"`'.includes(line[j]) && !line.startsWith('//', j)) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

export function isLocalPath(path: string): boolean {
  return path.startsWith('./') || path.startsWith('../') || path.startsWith('/') || path === '.' || path === '..';
}

function parseReplace(args: string[]): Replace | undefined {
  const arrow = args.indexOf('=>');
  if (arrow < 1 || arrow === args.length - 1) return undefined;
  const [oldPath, oldVersion] = args.slice(0, arrow);
  const [newPath, newVersion] = args.slice(arrow + 1);
  return { oldPath, oldVersion, newPath, newVersion, local: isLocalPath(newPath) };
}

/** Parses go.mod or go.work text: the directives that decide where imported packages live. */
export function parseGoMod(text: string): GoModFile {
  const result: GoModFile = { replaces: [], uses: [] };
  let block: string | undefined;
  const apply = (verb: string, args: string[]) => {
    if (verb === 'module' && args[0]) result.module = args[0];
    else if (verb === 'go' && args[0]) result.go = args[0];
    else if (verb === 'use' && args[0]) result.uses.push(args[0]);
    else if (verb === 'replace') {
      const r = parseReplace(args);
      if (r) result.replaces.push(r);
    }
  };
  for (const line of text.split('\n')) {
    const tokens = tokenize(line);
    if (tokens.length === 0) continue;
    if (block) {
      if (tokens[0] === ')') block = undefined;
      else apply(block, tokens);
    } else if (tokens[1] === '(') {
      block = tokens[0];
      if (tokens.length > 2 && tokens[tokens.length - 1] === ')') block = undefined;
    } else {
      apply(tokens[0], tokens.slice(1));
    }
  }
  return result;
}

/** A module whose packages live in the workspace: its path and its folder (workspace-relative, '' for the root). */
export interface LocalModule {
  path: string;
  dir: string;
  /** The go.mod or go.work whose replace directive puts the module in `dir`, if one does. */
  replacedIn?: string;
}

const normDir = (p: string) => {
  const n = posix.normalize(p);
  return n === '.' ? '' : n.replace(/\/$/, '');
};

/** A file's replace directives that point at a folder inside the workspace, by the path they replace. */
function localReplaces(file: string, dir: string, mod: GoModFile): Map<string, LocalModule> {
  const out = new Map<string, LocalModule>();
  for (const r of mod.replaces) {
    if (!r.local || r.newPath.startsWith('/')) continue;
    const target = normDir(posix.join(dir, r.newPath));
    if (target === '..' || target.startsWith('../')) continue; // outside the workspace: no project owns it
    out.set(r.oldPath, { path: r.oldPath, dir: target, replacedIn: file });
  }
  return out;
}

/**
 * The modules whose packages are local folders, as Go resolves an import in
 * a given file: every go.mod's own module (as if each were `use`d, which
 * errs towards an edge too many rather than one too few), and the replace
 * directives that point at a folder (relative to the file that declares
 * them) that Go applies there. Go applies only the main module's replaces:
 * so a file sees those of the go.mod nearest above it, and a go.mod in
 * apps/<svc>/ replaces for that service alone. With a go.work, Go applies
 * every workspace module's replaces and the go.work's own, to every file.
 * A replace wins over a go.mod that claims the same path, as it does in Go.
 *
 * `goModFiles` maps workspace-relative paths of go.mod / go.work files to
 * their text; the result maps a workspace-relative Go file to its modules.
 */
export function localModulesFor(goModFiles: Record<string, string>): (file: string) => LocalModule[] {
  const own = new Map<string, LocalModule>();
  const replacesByModuleDir = new Map<string, Map<string, LocalModule>>();
  const workReplaces = new Map<string, LocalModule>();
  let workspaceMode = false;
  for (const [file, text] of Object.entries(goModFiles)) {
    const dir = normDir(posix.dirname(file));
    const mod = parseGoMod(text);
    if (mod.module && !own.has(mod.module)) own.set(mod.module, { path: mod.module, dir });
    if (posix.basename(file) === 'go.work') {
      workspaceMode = true;
      for (const [path, m] of localReplaces(file, dir, mod)) workReplaces.set(path, m);
    } else {
      replacesByModuleDir.set(dir, localReplaces(file, dir, mod));
    }
  }
  const moduleDirs = [...replacesByModuleDir.keys()].sort((a, b) => b.length - a.length);
  const merge = (...replaceSets: Array<Map<string, LocalModule> | undefined>) => {
    const byPath = new Map(own);
    for (const set of replaceSets) for (const [path, m] of set ?? []) byPath.set(path, m);
    // Longest module path first, so a nested module wins over its parent.
    return [...byPath.values()].sort((a, b) => b.path.length - a.path.length);
  };
  if (workspaceMode) {
    const all = merge(...replacesByModuleDir.values(), workReplaces);
    return () => all;
  }
  const byModule = new Map<string | undefined, LocalModule[]>();
  return (file: string) => {
    const dir = moduleDirs.find((d) => d === '' || file.startsWith(d + '/'));
    let modules = byModule.get(dir);
    if (!modules) byModule.set(dir, (modules = merge(dir === undefined ? undefined : replacesByModuleDir.get(dir))));
    return modules;
  };
}

/** The workspace-relative folder of an import path, if a local module holds it, and the file whose replace put it there. */
export function resolveImport(importPath: string, modules: LocalModule[]): { dir: string; replacedIn?: string } | undefined {
  for (const m of modules) {
    if (importPath === m.path) return { dir: m.dir, replacedIn: m.replacedIn };
    if (importPath.startsWith(m.path + '/')) {
      const rest = importPath.slice(m.path.length + 1);
      return { dir: m.dir ? `${m.dir}/${rest}` : rest, replacedIn: m.replacedIn };
    }
  }
  return undefined;
}
