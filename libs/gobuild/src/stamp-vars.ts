import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoFileHeader } from './imports';
import type { VersionStamp } from './version';

/** One `-X symbol=value`: a package-level string variable and what the stamp sets it to. */
export interface StampVar {
  symbol: string;
  value: string;
}

/** The workspace's buildinfo package: Version, Commit and CommitTime. */
export function buildinfoVars(versionPackage: string, stamp: VersionStamp): StampVar[] {
  return [
    { symbol: `${versionPackage}.Version`, value: stamp.version },
    { symbol: `${versionPackage}.Commit`, value: stamp.commit },
    { symbol: `${versionPackage}.CommitTime`, value: stamp.commitTime },
  ];
}

/**
 * The names many Go projects give the variables their release builds set
 * with -X (goreleaser's default ldflags), and the part of the stamp each
 * gets: `date` is the commit's time, never the clock.
 */
export const MAIN_STAMP_NAMES: Record<string, keyof Pick<VersionStamp, 'version' | 'commit' | 'commitTime'>> = {
  version: 'version',
  commit: 'commit',
  date: 'commitTime',
};

type Token = { kind: 'ident' | 'string' | 'nl' | 'punct'; value: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      tokens.push({ kind: 'nl', value: c });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (src.slice(i, end < 0 ? src.length : end).includes('\n')) tokens.push({ kind: 'nl', value: '\n' });
      i = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      tokens.push({ kind: c === '"' ? 'string' : 'punct', value: src.slice(i, j + 1) });
      i = j + 1;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      tokens.push({ kind: 'string', value: src.slice(i, end < 0 ? src.length : end + 1) });
      i = end < 0 ? src.length : end + 1;
    } else {
      const word = /^[\p{L}\p{N}_.]+/u.exec(src.slice(i, i + 256));
      if (word) {
        tokens.push({ kind: /^[\p{L}_]/u.test(word[0]) ? 'ident' : 'punct', value: word[0] });
        i += word[0].length;
      } else {
        tokens.push({ kind: 'punct', value: c });
        i++;
      }
    }
  }
  return tokens;
}

/**
 * The package-level variables of a Go file that the linker's -X can set:
 * declared `string`, or given only string literals. (-X on any other name is
 * silently ignored by the linker, so go-build asks first.) Variables inside
 * functions are not package-level and are skipped.
 */
export function declaredStringVars(src: string): string[] {
  const t = tokenize(src);
  const found: string[] = [];
  /** One spec from t[k]: `names [type] [= values]`, up to a newline or `;` outside brackets. Returns the index after it. */
  const spec = (k: number): number => {
    const names: string[] = [];
    while (t[k]?.kind === 'ident') {
      names.push(t[k++].value);
      if (t[k]?.value !== ',') break;
      k++;
    }
    const rest: Token[] = [];
    let depth = 0;
    for (; k < t.length; k++) {
      const v = t[k].value;
      if (depth === 0 && (t[k].kind === 'nl' || v === ';' || v === ')')) break;
      if (v === '(' || v === '{' || v === '[') depth++;
      if (v === ')' || v === '}' || v === ']') depth--;
      rest.push(t[k]);
    }
    const eq = rest.findIndex((x) => x.value === '=');
    const type = (eq < 0 ? rest : rest.slice(0, eq)).map((x) => x.value).join('');
    const values = eq < 0 ? [] : rest.slice(eq + 1).filter((x) => x.value !== ',');
    const isString = type === 'string' || (type === '' && values.length === names.length && values.every((x) => x.kind === 'string'));
    if (isString) found.push(...names.filter((n) => n !== '_'));
    return k;
  };
  let depth = 0;
  for (let k = 0; k < t.length; k++) {
    const v = t[k].value;
    if (v === '{' || v === '(' || v === '[') depth++;
    else if (v === '}' || v === ')' || v === ']') depth--;
    else if (depth === 0 && t[k].kind === 'ident' && v === 'var') {
      let j = k + 1;
      if (t[j]?.value === '(') {
        // A group: one spec per line (or per `;`) up to its `)`, which the loop then steps over.
        for (j++; j < t.length && t[j].value !== ')'; ) j = t[j].kind === 'ident' ? spec(j) : j + 1;
        k = j;
      } else {
        k = spec(j) - 1;
      }
    }
  }
  return found;
}

/**
 * The -X flags for a main package that is not in the workspace's module: the
 * `version`, `commit` and `date` variables its own non-test files declare,
 * and no others.
 */
export function mainPackageVars(packageDir: string, stamp: VersionStamp): StampVar[] {
  const declared = new Set<string>();
  for (const f of readdirSync(packageDir).sort()) {
    if (!f.endsWith('.go') || f.endsWith('_test.go')) continue;
    const src = readFileSync(join(packageDir, f), 'utf8');
    const header = parseGoFileHeader(src);
    if (header.packageName !== 'main' || header.buildConstraint?.trim() === 'ignore') continue;
    for (const name of declaredStringVars(src)) declared.add(name);
  }
  return Object.entries(MAIN_STAMP_NAMES)
    .filter(([name]) => declared.has(name))
    .map(([name, part]) => ({ symbol: `main.${name}`, value: stamp[part] }));
}
