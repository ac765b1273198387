import { run } from './go';

/** A package that holds cgo files, and how the main package reaches it. */
export interface CgoCulprit {
  importPath: string;
  cgoFiles: string[];
  standard: boolean;
  /** Import chain from the built package to the culprit, both included. */
  chain: string[];
}

interface ListedPackage {
  ImportPath: string;
  Standard?: boolean;
  CgoFiles?: string[];
  Imports?: string[];
  DepOnly?: boolean;
}

/** Splits the concatenated JSON objects `go list -json` prints. */
export function parseJsonStream<T>(text: string): T[] {
  const out: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as T);
    }
  }
  return out;
}

/**
 * Packages with CgoFiles among the dependencies of `pkg`, as `go list -deps`
 * sees them with the given environment (pass CGO_ENABLED=1 to see what a cgo
 * build would pull in). runtime/cgo is left out: it is how cgo runs, never the
 * reason. Your own packages come before the standard library's.
 */
export async function findCgoCulprits(go: string, cwd: string, pkg: string, env: NodeJS.ProcessEnv): Promise<CgoCulprit[]> {
  const r = await run(go, ['list', '-e', '-deps', '-json=ImportPath,Standard,CgoFiles,Imports,DepOnly', pkg], { cwd, env });
  if (r.code !== 0 && !r.stdout) return [];
  const pkgs = parseJsonStream<ListedPackage>(r.stdout);
  const byPath = new Map(pkgs.map((p) => [p.ImportPath, p]));
  const roots = pkgs.filter((p) => !p.DepOnly).map((p) => p.ImportPath);

  // Breadth-first from the built package: the shortest import chain to each package.
  const parent = new Map<string, string | undefined>(roots.map((r) => [r, undefined]));
  const queue = [...roots];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const imp of byPath.get(cur)?.Imports ?? []) {
      if (!parent.has(imp)) {
        parent.set(imp, cur);
        queue.push(imp);
      }
    }
  }
  const chainTo = (p: string) => {
    const chain: string[] = [];
    for (let cur: string | undefined = p; cur !== undefined; cur = parent.get(cur)) chain.unshift(cur);
    return chain;
  };

  return pkgs
    .filter((p) => (p.CgoFiles?.length ?? 0) > 0 && p.ImportPath !== 'runtime/cgo')
    .map((p) => ({ importPath: p.ImportPath, cgoFiles: p.CgoFiles!, standard: !!p.Standard, chain: chainTo(p.ImportPath) }))
    .sort((a, b) => Number(a.standard) - Number(b.standard) || a.chain.length - b.chain.length);
}

/** The sentence that tells what brought cgo in and what to do about it. */
export function describeCgoCulprits(culprits: CgoCulprit[], cgoRequested: boolean): string {
  if (culprits.length === 0) {
    return cgoRequested
      ? 'No package with cgo files was found; the cgo build (cgo: true / CGO_ENABLED=1) linked it dynamically. Fix: build with cgo off (the default), or link statically (e.g. ldflags "-linkmode external -extldflags -static").'
      : 'No package with cgo files was found; check -ldflags/-linkmode options that ask for external linking.';
  }
  const lines = culprits.slice(0, 5).map((c) => {
    const via = c.chain.length > 1 ? ` (imported via ${c.chain.join(' -> ')})` : '';
    return `  - ${c.importPath}: cgo files ${c.cgoFiles.join(', ')}${via}`;
  });
  const own = culprits.filter((c) => !c.standard);
  const fix = own.length
    ? `Fix: remove the import of ${own[0].importPath} (or replace it with a pure-Go alternative), or build it with cgo off (drop cgo: true / CGO_ENABLED=1) if it has a pure-Go fallback.`
    : `Fix: build with cgo off (the default of go-build; drop cgo: true / CGO_ENABLED=1): ${culprits.map((c) => c.importPath).join(', ')} ${culprits.length > 1 ? 'have' : 'has'} pure-Go implementations then.`;
  return [`Packages that bring cgo in:`, ...lines, fix].join('\n');
}
