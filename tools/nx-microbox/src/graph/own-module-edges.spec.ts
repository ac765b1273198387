import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGo } from '../../../../libs/gobuild/src/find-go';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { OWN_MODULE_FIXTURE } from '../../../../libs/gobuild/src/testing/own-module-fixture';
import { goDependencies, ownerOf } from './create-dependencies';
import { fixtureContext } from './testing/graph-fixture';

// Edges of a service with a go.mod of its own (apps/delta), whose replace
// points example.com/extlib at a fork while the root module's points it at
// libs/go/extlib: each file resolves with its own module's replaces.

let ws: string;
let dataDir: string;
const savedDataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'own-module-edges-'));
  dataDir = mkdtempSync(join(tmpdir(), 'own-module-edges-data-'));
  process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDir;
  writeGoFixture(ws);
  writeFiles(ws, {
    ...OWN_MODULE_FIXTURE,
    'apps/delta/go.mod': OWN_MODULE_FIXTURE['apps/delta/go.mod'].replace('=> ../../libs/go/extlib', '=> ../../libs/go/fork'),
    'libs/go/fork/go.mod': 'module example.com/extlib\n\ngo 1.26\n',
    'libs/go/fork/extlib.go': 'package extlib\n\n// Name is the fork\'s.\nfunc Name() string { return "fork" }\n',
  });
});
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  else process.env.NX_WORKSPACE_DATA_DIRECTORY = savedDataDir;
  rmSync(ws, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** The projects a module's package depends on, as `go list -deps` run in that module sees them. */
function goListTargets(ctx: ReturnType<typeof fixtureContext>, moduleDir: string, pkg: string, source: string): string[] {
  const dirs = execFileSync(findGo().path, ['list', '-deps', '-f', '{{.Dir}}', pkg], { cwd: join(ws, moduleDir), encoding: 'utf8' }).trim().split('\n');
  const roots = Object.entries(ctx.projects)
    .map(([n, p]): [string, string] => [p.root, n])
    .sort(([a], [b]) => b.length - a.length);
  const targets = new Set<string>();
  for (const dir of dirs) {
    const rel = relative(ws, dir);
    const owner = rel.startsWith('..') ? undefined : ownerOf(rel, roots);
    if (owner && owner !== source) targets.add(owner);
  }
  return [...targets].sort();
}

describe('edges of a service with its own go.mod', () => {
  it('follow its own replace, not the root module\'s, and agree with go list in each module', () => {
    const ctx = fixtureContext(ws);
    const deps = goDependencies(ctx);
    const targetsOf = (source: string) => deps.filter((d) => d.source === source).map((d) => d.target).sort();
    expect(targetsOf('delta')).toEqual(['go-fork']);
    expect(targetsOf('beta')).toEqual(['go-extlib', 'go-shared']);
    expect(goListTargets(ctx, 'apps/delta', '.', 'delta')).toEqual(['go-fork']);
    expect(goListTargets(ctx, '', './apps/beta', 'beta')).toEqual(['go-extlib', 'go-shared']);
    expect(deps.find((d) => d.source === 'delta')).toEqual({ source: 'delta', target: 'go-fork', type: 'implicit' });
  });
});
