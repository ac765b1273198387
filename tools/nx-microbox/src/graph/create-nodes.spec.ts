import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { createNodesInternal } from './create-nodes';
import { listFiles } from './testing/graph-fixture';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'create-nodes-'));
  writeGoFixture(ws);
  writeFiles(ws, {
    'libs/ts/project.json': '{"name":"ts"}',
    'libs/ts/src/a.spec.ts': '',
    'apps/alpha/project.json': '{"name":"alpha","targets":{"image":{"command":"true"}}}',
    'libs/deep/er/project.json': '{}',
  });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('createNodesInternal', () => {
  it('gives vitest targets to project.json projects and Go targets to Go folders, from one glob', async () => {
    const files = listFiles(ws).filter((f) => f.endsWith('.go') || f.endsWith('project.json'));
    const results = await createNodesInternal(files, undefined, { workspaceRoot: ws, nxJsonConfiguration: {} });
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
    expect(Object.keys(byRoot['apps/alpha']).sort()).toEqual(['go-build', 'go-test', 'go-vet', 'image', 'push']);
    expect(Object.keys(byRoot['libs/go/shared']).sort()).toEqual(['go-test', 'go-vet']);
    // A Go file is the "config file" of its project, so Nx re-infers when Go files come and go.
    const alpha = results.find(([, r]) => r.projects?.['apps/alpha']?.name === 'alpha');
    expect(alpha?.[0]).toBe('apps/alpha/main.go');
  });
});
