import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeGoFixture } from '../../../../../libs/gobuild/src/testing/go-fixture';
import goBuildExecutor, { goDependencyRoots } from './executor';

let ws: string;
const commits: Record<string, string> = {};
function commit(name: string) {
  execFileSync('git', ['add', '-A'], { cwd: ws });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', name], { cwd: ws });
  commits[name] = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws, encoding: 'utf8' }).trim();
}

// Go projects name their Go files in `goSources`; the others have none (as create-nodes infers them).
const node = (name: string, root: string, goSources: string[] = ['{projectRoot}/**/*']) => ({ name, type: 'lib' as const, data: { root, namedInputs: { goSources } } });
const graph: ProjectGraph = {
  nodes: {
    alpha: node('alpha', 'apps/alpha'),
    'go-shared': node('go-shared', 'libs/go/shared'),
    'go-buildinfo': node('go-buildinfo', 'libs/go/buildinfo'),
    gamma: node('gamma', 'apps/gamma'),
    basebox: node('basebox', 'libs/basebox', []),
    plugin: node('plugin', 'tools/plugin', []),
  },
  dependencies: {
    alpha: [
      { source: 'alpha', target: 'go-shared', type: 'static' },
      { source: 'alpha', target: 'go-buildinfo', type: 'static' },
      { source: 'alpha', target: 'basebox', type: 'implicit' },
      { source: 'alpha', target: 'plugin', type: 'implicit' },
    ],
    'go-shared': [],
    'go-buildinfo': [],
    gamma: [],
    basebox: [{ source: 'basebox', target: 'plugin', type: 'implicit' }],
    plugin: [],
  },
};
const context = (projectName: string) =>
  ({
    root: ws,
    cwd: ws,
    isVerbose: false,
    projectName,
    projectGraph: graph,
    projectsConfigurations: { version: 2, projects: Object.fromEntries(Object.entries(graph.nodes).map(([n, v]) => [n, { root: v.data.root }])) },
    nxJsonConfiguration: {},
  }) as unknown as ExecutorContext;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'go-build-executor-'));
  writeGoFixture(ws);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
  commit('fixture');
  writeFileSync(join(ws, 'libs/go/shared/shared.go'), readFileSync(join(ws, 'libs/go/shared/shared.go'), 'utf8') + '\n// shared changed\n');
  commit('shared');
  // A base image's lock: a project alpha depends on (for its image), but no Go input of its build.
  mkdirSync(join(ws, 'libs/basebox'), { recursive: true });
  writeFileSync(join(ws, 'libs/basebox/debian.lock.json'), '{}\n');
  commit('lock');
  writeFileSync(join(ws, 'apps/gamma/main.go'), readFileSync(join(ws, 'apps/gamma/main.go'), 'utf8') + '\n// gamma changed\n');
  commit('gamma');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('goDependencyRoots', () => {
  it('lists the project and the Go projects it depends on, transitively, and no project without Go code', () => {
    expect(goDependencyRoots(context('alpha'))).toEqual(['apps/alpha', 'libs/go/buildinfo', 'libs/go/shared']);
    expect(goDependencyRoots(context('gamma'))).toEqual(['apps/gamma']);
  });
});

describe('go-build executor', () => {
  it('builds the project root by default and stamps the last commit of the project or its Go dependencies', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const r = await goBuildExecutor({}, context('alpha'));
    expect(r.success).toBe(true);
    const record = JSON.parse(readFileSync(join(ws, 'dist/apps/alpha/build.json'), 'utf8'));
    // Not HEAD (gamma changed last), nor the basebox lock's commit (alpha's image, not its build,
    // depends on basebox), but the commit that changed the shared package alpha imports.
    expect(record.commit).toBe(commits.shared);
    expect(execFileSync(join(ws, 'dist/apps/alpha/alpha'), { encoding: 'utf8' })).toContain(commits.shared);
  });

  it('fails, saying why, for a package that does not build', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await goBuildExecutor({ main: 'apps/missing' }, context('gamma'));
    expect(r.success).toBe(false);
    expect(errors.mock.calls.flat().join('\n')).toMatch(/go build of apps\/missing for linux\/amd64 failed/);
  });
});
