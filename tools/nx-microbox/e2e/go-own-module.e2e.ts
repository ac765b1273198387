import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFiles } from '../../../libs/gobuild/src/testing/go-fixture';
import { OWN_MODULE_FIXTURE } from '../../../libs/gobuild/src/testing/own-module-fixture';
import { makeFixtureClone, type FixtureClone } from './go-workspace';

// A service with a go.mod of its own (apps/delta, module example.com/delta,
// which replaces example.com/extlib with the workspace's libs/go/extlib),
// beside the root module's services, in a temporary clone with this
// workspace's Nx plugin: what `nx affected` and go-build do with it on a real
// git history.

let ws: FixtureClone;
beforeAll(() => {
  ws = makeFixtureClone(OWN_MODULE_FIXTURE);
});
afterAll(() => ws?.cleanup());

function affectedBy(file: string, text: string): string[] {
  appendFileSync(join(ws.dir, file), text);
  ws.commit(`change ${file}`);
  return (JSON.parse(ws.nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json')) as string[]).sort();
}

const record = () => JSON.parse(readFileSync(join(ws.dir, 'dist/apps/delta/build.json'), 'utf8'));

describe('a Go service with its own go.mod in the Nx graph', () => {
  it('is a Go service project with the targets of the others, and its edges follow its replace directive', () => {
    const project = JSON.parse(ws.nx('show', 'project', 'delta', '--json')) as { targets: Record<string, { metadata?: { description?: string } }> };
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['go-build', 'image', 'push', 'go-test', 'go-vet']));
    expect(project.targets['go-test'].metadata?.description).toBe('(cd apps/delta) go test ./...');
    ws.nx('graph', '--file=graph.json');
    const graph = JSON.parse(readFileSync(join(ws.dir, 'graph.json'), 'utf8')).graph as { dependencies: Record<string, Array<{ target: string }>> };
    const goEdges = (p: string) => graph.dependencies[p].map((d) => d.target).filter((t) => t.startsWith('go-')).sort();
    expect(goEdges('delta')).toEqual(['go-extlib']);
    expect(goEdges('beta')).toEqual(['go-extlib', 'go-shared']);
  });

  it('builds in its module, stamped through its own variables, and tests and vets there', () => {
    const build = ws.nx('run', 'delta:go-build', '--outputStyle=static');
    expect(build).toMatch(/\(cd apps\/delta\) CGO_ENABLED=0 .*-X main\.version=\S+ -X main\.commit=\S+/);
    const head = ws.git('rev-parse', 'HEAD');
    expect(record()).toMatchObject({ commit: head, stamped: ['main.version', 'main.commit'] });
    expect(ws.nx('run', 'delta:go-test', '--outputStyle=static')).toMatch(/\(cd apps\/delta\) go test \.\/\.\.\.[\s\S]*ok\s+example\.com\/delta/);
    expect(ws.nx('run', 'delta:go-vet', '--outputStyle=static')).toMatch(/\(cd apps\/delta\) go vet \.\/\.\.\./);
  });

  it('is not affected by an edit to the root go.mod, and its build is then a cache hit', () => {
    expect(affectedBy('go.mod', '\n// the root module changed\n')).toEqual(['alpha', 'beta', 'gamma', 'go-buildinfo', 'go-shared']);
    const before = record();
    const out = ws.nx('run', 'delta:go-build', '--outputStyle=static');
    expect(out).toMatch(/read the output from the cache/);
    expect(record()).toEqual(before);
  });

  it('is affected by an edit to its own go.mod, alone', () => {
    expect(affectedBy('apps/delta/go.mod', '\n// its own module changed\n')).toEqual(['delta']);
    const out = ws.nx('run', 'delta:go-build', '--outputStyle=static');
    expect(out).not.toMatch(/read the output from the cache/);
    expect(record().commit).toBe(ws.git('rev-parse', 'HEAD'));
  });

  it('is affected by a change to the workspace library it replaces', () => {
    expect(affectedBy('libs/go/extlib/extlib.go', '\n// extlib changed\n')).toEqual(['beta', 'delta', 'go-extlib']);
  });

  it('follows its own replace, not the root module\'s, when the two point the same module path at different folders', () => {
    writeFiles(ws.dir, {
      'libs/go/extlib-fork/go.mod': 'module example.com/extlib\n\ngo 1.26\n',
      'libs/go/extlib-fork/extlib.go': 'package extlib\n\n// Name is the fork\'s.\nfunc Name() string { return "fork" }\n',
    });
    const goMod = join(ws.dir, 'apps/delta/go.mod');
    writeFileSync(goMod, readFileSync(goMod, 'utf8').replace('=> ../../libs/go/extlib', '=> ../../libs/go/extlib-fork'));
    ws.commit('delta uses a fork of extlib');
    ws.nx('graph', '--file=graph.json');
    const graph = JSON.parse(readFileSync(join(ws.dir, 'graph.json'), 'utf8')).graph as { dependencies: Record<string, Array<{ target: string }>> };
    const goEdges = (p: string) => graph.dependencies[p].map((d) => d.target).filter((t) => t.startsWith('go-')).sort();
    expect(goEdges('delta')).toEqual(['go-extlib-fork']);
    expect(goEdges('beta')).toEqual(['go-extlib', 'go-shared']);
    expect(affectedBy('libs/go/extlib/extlib.go', '\n// only the root module uses this one now\n')).toEqual(['beta', 'go-extlib']);
    expect(affectedBy('libs/go/extlib-fork/extlib.go', '\n// the fork changed\n')).toEqual(['delta', 'go-extlib-fork']);
  });
});
