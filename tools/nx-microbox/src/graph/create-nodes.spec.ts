import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetWorkspaceContext } from '@nx/devkit/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { createNodesInternal, lastInference } from './create-nodes';
import type { MicroboxPluginOptions } from './plugin-options';
import { listFiles } from './testing/graph-fixture';

let ws: string;
let dataDir: string;
const saved = { data: process.env.NX_WORKSPACE_DATA_DIRECTORY, daemon: process.env.NX_DAEMON };
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'create-nodes-'));
  dataDir = mkdtempSync(join(tmpdir(), 'create-nodes-data-'));
  process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDir;
  // Nx hashes the folders from its own view of the files: this fixture's, not a daemon's workspace.
  process.env.NX_DAEMON = 'false';
  writeGoFixture(ws);
  writeFiles(ws, {
    'libs/ts/project.json': '{"name":"ts"}',
    'libs/ts/src/a.spec.ts': '',
    'apps/alpha/project.json': '{"name":"alpha","targets":{"image":{"command":"true"}}}',
    'libs/deep/er/project.json': '{}',
    'libs/base/project.json': '{"name":"base","targets":{"push":{"executor":"@microbox/nx-microbox:push","options":{"record":"r.json"}},"lock":{"command":"true"}}}',
  });
});
afterAll(() => {
  for (const [name, value] of [['NX_WORKSPACE_DATA_DIRECTORY', saved.data], ['NX_DAEMON', saved.daemon]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(ws, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const projectFiles = () => listFiles(ws).filter((f) => f.endsWith('.go') || f.endsWith('project.json'));

/** The inferred targets by project root, as Nx would merge the results. */
async function inferTargets(options?: MicroboxPluginOptions) {
  const results = await createNodesInternal(projectFiles(), options, { workspaceRoot: ws, nxJsonConfiguration: {} });
  const byRoot: Record<string, Record<string, { executor?: string; options?: Record<string, unknown> }>> = {};
  for (const [, r] of results) for (const [root, p] of Object.entries(r.projects ?? {})) byRoot[root] = { ...byRoot[root], ...(p.targets ?? {}) };
  return byRoot;
}

describe('createNodesInternal', () => {
  it('gives vitest targets to project.json projects and Go targets to Go folders, from one glob', async () => {
    const results = await createNodesInternal(projectFiles(), undefined, { workspaceRoot: ws, nxJsonConfiguration: {} });
    const byRoot: Record<string, Record<string, unknown>> = {};
    const namedInputs: Record<string, unknown> = {};
    for (const [, r] of results) {
      for (const [root, p] of Object.entries(r.projects ?? {})) {
        byRoot[root] = { ...byRoot[root], ...(p.targets ?? {}) };
        namedInputs[root] = { ...(namedInputs[root] ?? {}), ...p.namedInputs };
      }
    }
    expect(Object.keys(byRoot).sort()).toEqual([
      'apps/alpha',
      'apps/beta',
      'apps/gamma',
      'libs/base',
      'libs/deep/er',
      'libs/go/buildinfo',
      'libs/go/extlib',
      'libs/go/shared',
      'libs/ts',
    ]);
    expect(byRoot['libs/deep/er']).toEqual({}); // no vitest inference that deep, as before
    // Every project has a goSources input, so `^goSources` never names a missing one:
    // the Go files of a Go project, nothing for the others.
    expect(namedInputs['libs/ts']).toEqual({ goSources: [] });
    expect(namedInputs['libs/deep/er']).toEqual({ goSources: [] });
    expect((namedInputs['apps/alpha'] as { goSources: string[] }).goSources).toContain('{projectRoot}/**/*');
    expect(Object.keys(byRoot['libs/ts'])).toEqual(['test']);
    expect(Object.keys(byRoot['apps/alpha'])).toEqual(expect.arrayContaining(['go-build', 'go-test', 'go-vet', 'image', 'push']));
    expect(Object.keys(byRoot['libs/go/shared']).sort()).toEqual(['go-test', 'go-vet']);
    // A Go file is the "config file" of its project, so Nx re-infers when Go files come and go.
    const alpha = results.find(([, r]) => r.projects?.['apps/alpha']?.name === 'alpha');
    expect(alpha?.[0]).toBe('apps/alpha/main.go');
  });

  it('gives push targets the registry of the plugin options, Go services and project.json targets alike', async () => {
    const byRoot = await inferTargets({ registry: '127.0.0.1:5000/team' });
    expect(byRoot['apps/alpha']['push'].options).toEqual({ registry: '127.0.0.1:5000/team' });
    // Only the registry: the executor and other options stay those of the project.json.
    expect(byRoot['libs/base']['push']).toEqual({ executor: '@microbox/nx-microbox:push', options: { registry: '127.0.0.1:5000/team' } });
    expect(byRoot['libs/base']['lock']).toBeUndefined();
    const without = await inferTargets();
    expect(without['apps/alpha']['push'].options).toBeUndefined();
    expect(without['libs/base']['push']).toBeUndefined();
  });

  it('refuses bad plugin options in one line before inferring anything', async () => {
    await expect(inferTargets({ registry: 42 } as unknown as MicroboxPluginOptions)).rejects.toThrow(/^nx.json plugin option registry of @microbox\/nx-microbox is 42: give a string/);
    await expect(inferTargets({ regsitry: 'x' } as MicroboxPluginOptions)).rejects.toThrow(/option "regsitry" of @microbox\/nx-microbox is not one it knows/);
  });

  it('infers again only the folders whose files changed, in this process and the next', async () => {
    await inferTargets();
    expect(lastInference).toEqual({ folders: 9, inferred: 0 });

    writeFiles(ws, { 'apps/gamma/extra.go': 'package main\n', 'libs/ts/src/b.spec.ts': '' });
    resetWorkspaceContext(); // Nx's file watcher would tell it; this test has none
    const changed = await inferTargets();
    expect(lastInference).toEqual({ folders: 9, inferred: 2 });
    expect(Object.keys(changed['apps/gamma'])).toEqual(expect.arrayContaining(['go-build', 'image', 'push']));

    // A new process (no daemon) finds what this one saved in the workspace data folder.
    vi.resetModules();
    const fresh = await import('./create-nodes');
    await fresh.createNodesInternal(projectFiles(), undefined, { workspaceRoot: ws, nxJsonConfiguration: {} });
    expect(fresh.lastInference).toEqual({ folders: 9, inferred: 0 });
  });
});
