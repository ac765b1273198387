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
}

/**
 * The modules whose packages are local folders, as Go resolves them:
 * each go.mod's own module (the main module, or each `use` of a go.work),
 * and every replace directive that points at a folder (relative to the file
 * that declares it). Replaces of the main module(s) win over a nested
 * go.mod that claims the same path, as they do in Go.
 *
 * `goModFiles` maps workspace-relative paths of go.mod / go.work files to their text.
 */
export function localModules(goModFiles: Record<string, string>): LocalModule[] {
  const byPath = new Map<string, LocalModule>();
  const replaced = new Map<string, LocalModule>();
  const norm = (p: string) => {
    const n = posix.normalize(p);
    return n === '.' ? '' : n.replace(/\/$/, '');
  };
  for (const [file, text] of Object.entries(goModFiles)) {
    const dir = norm(posix.dirname(file));
    const mod = parseGoMod(text);
    if (mod.module && !byPath.has(mod.module)) byPath.set(mod.module, { path: mod.module, dir });
    for (const r of mod.replaces) {
      if (!r.local || r.newPath.startsWith('/')) continue;
      const target = norm(posix.join(dir, r.newPath));
      if (target.startsWith('..')) continue; // outside the workspace: no project owns it
      replaced.set(r.oldPath, { path: r.oldPath, dir: target });
    }
  }
  for (const [path, mod] of replaced) byPath.set(path, mod);
  // Longest module path first, so a nested module wins over its parent.
  return [...byPath.values()].sort((a, b) => b.path.length - a.path.length);
}

/** The workspace-relative folder of an import path, if a local module holds it. */
export function resolveImport(importPath: string, modules: LocalModule[]): string | undefined {
  for (const m of modules) {
    if (importPath === m.path) return m.dir;
    if (importPath.startsWith(m.path + '/')) {
      const rest = importPath.slice(m.path.length + 1);
      return m.dir ? `${m.dir}/${rest}` : rest;
    }
  }
  return undefined;
}
