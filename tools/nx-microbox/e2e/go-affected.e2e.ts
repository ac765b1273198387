import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureClone, type FixtureClone } from './go-workspace';

// `nx affected` follows Go imports, on a real git history in a temporary
// clone of a fixture workspace with this workspace's Nx plugin.

let ws: FixtureClone;
beforeAll(() => {
  ws = makeFixtureClone();
});
afterAll(() => ws?.cleanup());

/** Changes a file and commits it; returns the projects Nx calls affected by that commit. */
function affectedBy(file: string, text: string): string[] {
  appendFileSync(join(ws.dir, file), text);
  ws.commit(`change ${file}`);
  return (JSON.parse(ws.nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json')) as string[]).sort();
}

const sha = (svc: string) =>
  (JSON.parse(readFileSync(join(ws.dir, 'dist/apps', svc, 'build.json'), 'utf8')) as { binaries: Array<{ sha256: string }> }).binaries[0].sha256;

describe('Go projects in the Nx graph of a fixture workspace', () => {
  it('infers the Go projects and their edges from imports', () => {
    const projects = (JSON.parse(ws.nx('show', 'projects', '--json')) as string[]).sort();
    expect(projects).toEqual(['alpha', 'beta', 'checksum', 'elf', 'gamma', 'go-buildinfo', 'go-extlib', 'go-shared', 'gobuild', 'nx-microbox']);
    ws.nx('graph', '--file=graph.json');
    const graph = JSON.parse(readFileSync(join(ws.dir, 'graph.json'), 'utf8')).graph as {
      dependencies: Record<string, Array<{ target: string }>>;
    };
    const edges = (p: string) => graph.dependencies[p].map((d) => d.target).sort();
    // Each service's binary is made by the plugin's go-build: an edge to the plugin too.
    expect(edges('alpha')).toEqual(['go-buildinfo', 'go-shared', 'nx-microbox']);
    expect(edges('beta')).toEqual(['go-extlib', 'go-shared', 'nx-microbox']);
    expect(edges('gamma')).toEqual(['nx-microbox']);
    expect(edges('go-shared')).toEqual([]);
  });

  it('lists exactly the changed app when one app changes', () => {
    expect(affectedBy('apps/gamma/main.go', '\n// gamma changed\n')).toEqual(['gamma']);
    expect(affectedBy('apps/alpha/internal/handler/handler.go', '\n// nested package changed\n')).toEqual(['alpha']);
  });

  it('lists the shared package and both apps when the shared package (or one of its nested packages) changes', () => {
    expect(affectedBy('libs/go/shared/shared.go', '\n// shared changed\n')).toEqual(['alpha', 'beta', 'go-shared']);
    expect(affectedBy('libs/go/shared/nested/deep/deep.go', '\n// deep changed\n')).toEqual(['alpha', 'beta', 'go-shared']);
  });

  it('follows a replace directive to a local module', () => {
    expect(affectedBy('libs/go/extlib/extlib.go', '\n// extlib changed\n')).toEqual(['beta', 'go-extlib']);
  });

  it('lists nothing for a README at the root, and rebuilds nothing for a README in a service', () => {
    expect(affectedBy('README.md', '\nmore words\n')).toEqual([]);

    const first = ws.nx('run-many', '-t', 'go-build', '--outputStyle=static');
    expect(first).toMatch(/Successfully ran target go-build for 3 projects/);
    const before = { alpha: sha('alpha'), beta: sha('beta'), gamma: sha('gamma') };

    // A README inside alpha makes alpha "affected" (the file is alpha's), but
    // it is not an input of go-build: the build is a cache hit, same bytes.
    expect(affectedBy('apps/alpha/README.md', '\nmore words\n')).toEqual(['alpha']);
    const readme = ws.nx('affected', '-t', 'go-build', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static');
    expect(readme).toMatch(/Nx read the output from the cache instead of running the command for 1 out of 1 tasks/);
    expect(sha('alpha')).toBe(before.alpha);

    // The shared package changes: both apps are rebuilt (not read from the
    // cache) and stamped with the new commit, gamma is not touched.
    expect(affectedBy('libs/go/shared/shared.go', '\n// shared changed again\n')).toEqual(['alpha', 'beta', 'go-shared']);
    const shared = ws.nx('affected', '-t', 'go-build', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static');
    expect(shared).toMatch(/Successfully ran target go-build for 2 projects/);
    expect(shared).not.toMatch(/read the output from the cache/);
    const head = ws.git('rev-parse', 'HEAD');
    const commitOf = (svc: string) => JSON.parse(readFileSync(join(ws.dir, 'dist/apps', svc, 'build.json'), 'utf8')).commit;
    expect(commitOf('alpha')).toBe(head);
    expect(commitOf('beta')).toBe(head);
    expect(commitOf('gamma')).not.toBe(head);
    // alpha prints buildinfo, so its bytes change with the stamp; beta does not
    // import buildinfo and the change was a comment, so its bytes are the same.
    expect(sha('alpha')).not.toBe(before.alpha);
    expect(sha('beta')).toBe(before.beta);
    expect(sha('gamma')).toBe(before.gamma);
  });

  it('lets a project.json beside Go code override options, and depend on a project without Go code', () => {
    writeFileSync(
      join(ws.dir, 'apps/gamma/project.json'),
      JSON.stringify({ name: 'gamma', implicitDependencies: ['gobuild'], targets: { 'go-build': { options: { platforms: ['linux/arm64'] } } } }),
    );
    const out = ws.nx('run', 'gamma:go-build', '--outputStyle=static');
    expect(out).toMatch(/GOARCH=arm64/);
    expect(readdirSync(join(ws.dir, 'dist/apps/gamma')).sort()).toEqual(['build.json', 'gamma', 'gamma_linux_arm64']);
  });
});
