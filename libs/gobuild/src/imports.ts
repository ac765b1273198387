/** The package clause and imports of one Go source file. */
export interface GoFileHeader {
  packageName?: string;
  imports: string[];
  /** True when the file imports "C" (a cgo file). */
  cgo: boolean;
  /** The file's //go:build line, if any. */
  buildConstraint?: string;
}

type Token = { kind: 'ident' | 'string' | 'punct'; value: string };

/**
 * Reads a Go file's package clause and import declarations, the way the Go
 * spec lays them out (they precede every other declaration), skipping
 * comments. Stops at the first declaration that is not an import, so only the
 * head of a large file is scanned. Build constraints are reported, not applied:
 * the graph wants every import any build could use.
 */
export function parseGoFileHeader(src: string): GoFileHeader {
  let i = 0;
  let buildConstraint: string | undefined;
  const next = (): Token | undefined => {
    for (;;) {
      while (i < src.length && ' \t\r\n'.includes(src[i])) i++;
      if (src.startsWith('//', i)) {
        const end = src.indexOf('\n', i);
        const line = src.slice(i, end < 0 ? src.length : end);
        const m = /^\/\/go:build\s+(.*)$/.exec(line.trimEnd());
        if (m && buildConstraint === undefined) buildConstraint = m[1];
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (src.startsWith('/*', i)) {
        const end = src.indexOf('*/', i + 2);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      break;
    }
    if (i >= src.length) return undefined;
    const c = src[i];
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"' && src[j] !== '\n') {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j++];
      }
      i = j + 1;
      return { kind: 'string', value: s };
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const s = src.slice(i + 1, end < 0 ? src.length : end);
      i = end < 0 ? src.length : end + 1;
      return { kind: 'string', value: s };
    }
    const ident = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(i, i + 256));
    if (ident) {
      i += ident[0].length;
      return { kind: 'ident', value: ident[0] };
    }
    i++;
    return { kind: 'punct', value: c };
  };

  const header: GoFileHeader = { imports: [], cgo: false };
  let t = next();
  if (t?.kind !== 'ident' || t.value !== 'package') return { ...header, buildConstraint };
  t = next();
  if (t?.kind === 'ident') header.packageName = t.value;

  const addImport = (path: string) => {
    if (path === 'C') header.cgo = true;
    else header.imports.push(path);
  };
  /** One import spec: [name | . | _] "path". Returns false when the token is not a spec. */
  const spec = (tok: Token | undefined): boolean => {
    if (tok?.kind === 'string') {
      addImport(tok.value);
      return true;
    }
    if (tok?.kind === 'ident' || tok?.value === '.' ) {
      const path = next();
      if (path?.kind === 'string') addImport(path.value);
      return true;
    }
    return false;
  };

  for (t = next(); t; t = next()) {
    if (t.kind === 'punct' && t.value === ';') continue;
    if (t.kind !== 'ident' || t.value !== 'import') break;
    const first = next();
    if (first?.kind === 'punct' && first.value === '(') {
      for (let tok = next(); tok && !(tok.kind === 'punct' && tok.value === ')'); tok = next()) {
        if (tok.kind === 'punct' && tok.value === ';') continue;
        if (!spec(tok)) break;
      }
    } else if (!spec(first)) {
      break;
    }
  }
  return { ...header, buildConstraint };
}

/** The Go tool's rules for which files and folders belong to a package tree. */
export function isIgnoredGoPathSegment(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name === 'testdata' || name === 'vendor';
}

/** True for a workspace-relative path the go tool would compile (or test) as part of some package. */
export function isGoSourcePath(path: string): boolean {
  if (!path.endsWith('.go')) return false;
  return !path.split('/').some(isIgnoredGoPathSegment);
}
