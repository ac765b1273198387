import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGo } from '../../../../libs/gobuild/src/find-go';
import { parseJsonStream } from '../../../../libs/gobuild/src/cgo';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { goDependencies, lastTiming, ownerOf } from './create-dependencies';
import { fixtureContext } from './testing/graph-fixture';

let ws: string;
let dataDir: string;
const savedDataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'go-deps-'));
  dataDir = mkdtempSync(join(tmpdir(), 'go-deps-data-'));
  process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDir;
  writeGoFixture(ws, { withCgo: true });
});
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  else process.env.NX_WORKSPACE_DATA_DIRECTORY = savedDataDir;
  rmSync(ws, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const edges = (deps: Array<{ source: string; target: string }>) => deps.map((d) => `${d.source} -> ${d.target}`).sort();

/** The same edges as the Go toolchain sees them: go list -deps -test over the whole module. */
function goListEdges(ctx: ReturnType<typeof fixtureContext>): string[] {
  const out = execFileSync(findGo().path, ['list', '-e', '-deps', '-test', '-json=ImportPath,Dir,Imports,TestImports,XTestImports,ForTest', './...'], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '1' },
  });
  const pkgs = parseJsonStream<{ ImportPath: string; Dir?: string; Imports?: string[] }>(out);
  const dirOf = new Map<string, string>();
  for (const p of pkgs) if (p.Dir) dirOf.set(p.ImportPath.replace(/ \[.*\]$/, ''), relative(ws, p.Dir));
  const roots = Object.entries(ctx.projects)
    .map(([n, p]): [string, string] => [p.root, n])
    .sort(([a], [b]) => b.length - a.length);
  const set = new Set<string>();
  for (const p of pkgs) {
    if (!p.Dir || relative(ws, p.Dir).startsWith('..')) continue;
    const source = ownerOf(relative(ws, p.Dir), roots);
    for (const imp of p.Imports ?? []) {
      const dir = dirOf.get(imp.replace(/ \[.*\]$/, ''));
      const target = dir === undefined || dir.startsWith('..') ? undefined : ownerOf(dir, roots);
      if (source && target && target !== source) set.add(`${source} -> ${target}`);
    }
  }
  return [...set].sort();
}

describe('goDependencies', () => {
  it('follows Go imports: a shared package used by two apps, nested packages, a replace directive', () => {
    const ctx = fixtureContext(ws);
    const deps = goDependencies(ctx);
    expect(edges(deps)).toEqual([
      'alpha -> go-buildinfo',
      'alpha -> go-shared', // main.go, and internal/handler imports shared/nested/deep
      'beta -> go-extlib', // example.com/extlib, replaced by ./libs/go/extlib
      'beta -> go-shared',
      'cgoapp -> go-native',
    ]);
    // Through a replace directive: implicit, since it changes with the go.mod as well as with the file.
    const extlib = deps.find((d) => d.source === 'beta' && d.target === 'go-extlib');
    expect(extlib).toEqual({ source: 'beta', target: 'go-extlib', type: 'implicit' });
    for (const d of deps.filter((d) => d !== extlib)) {
      expect(d.type).toBe('static');
      expect(ctx.fileMap.projectFileMap[d.source].map((f) => f.file)).toContain('sourceFile' in d && d.sourceFile);
    }
  });

  it('agrees with go list -deps -test, the Go toolchain\'s own view', () => {
    const ctx = fixtureContext(ws);
    expect(edges(goDependencies(ctx))).toEqual(goListEdges(ctx));
  });

  it('counts test-only imports and a nested package\'s imports, and reads each file once per content', () => {
    writeFiles(ws, {
      'apps/gamma/gamma_test.go': 'package main\n\nimport (\n\t"testing"\n\n\t"example.com/fixture/libs/go/shared/nested/deep"\n)\n\nfunc TestDeep(t *testing.T) { _ = deep.Answer }\n',
    });
    try {
      const ctx = fixtureContext(ws);
      expect(edges(goDependencies(ctx))).toContain('gamma -> go-shared');
      expect(edges(goDependencies(ctx))).toEqual(goListEdges(ctx));
      expect(lastTiming!.parsed).toBe(0); // every file's imports came from the cache
    } finally {
      rmSync(join(ws, 'apps/gamma/gamma_test.go'));
    }
  });

  it('is fast on a workspace of 40 services and 2,000 Go files', () => {
    const big = mkdtempSync(join(tmpdir(), 'go-deps-big-'));
    try {
      writeFileSync(join(big, 'go.mod'), 'module example.com/big\n\ngo 1.26\n');
      const files: Record<string, string> = {};
      for (let lib = 0; lib < 10; lib++) {
        for (let f = 0; f < 40; f++) files[`libs/go/lib${lib}/p${f % 8}/f${f}.go`] = `// lib${lib} file ${f}\npackage p${f % 8}\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nvar _ = fmt.Sprint\nvar _ = http.Get\n`;
      }
      for (let app = 0; app < 40; app++) {
        for (let f = 0; f < 40; f++) {
          files[`apps/svc${app}/internal/p${f % 5}/f${f}.go`] =
            `// svc${app} file ${f}\npackage p${f % 5}\n\nimport (\n\t"context"\n\t"example.com/big/libs/go/lib${app % 10}/p${f % 8}"\n\t"example.com/big/libs/go/lib${(app + 1) % 10}/p0"\n)\n\nvar _ context.Context\n` +
            '// body\n'.repeat(200);
        }
        files[`apps/svc${app}/main.go`] = `// svc${app}\npackage main\n\nfunc main() {}\n`;
      }
      writeFiles(big, files);
      const ctx = fixtureContext(big);
      let t = performance.now();
      const cold = goDependencies(ctx);
      const coldMs = performance.now() - t;
      t = performance.now();
      const warm = goDependencies(ctx);
      const warmMs = performance.now() - t;
      expect(cold.length).toBe(80);
      expect(warm).toEqual(cold);
      console.log(`createDependencies on ${Object.keys(files).length} Go files: ${coldMs.toFixed(0)} ms cold, ${warmMs.toFixed(1)} ms warm`);
      expect(coldMs).toBeLessThan(2000);
      expect(warmMs).toBeLessThan(200);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });
});
