import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleFilesOutside, readOwnModule, ROOT_MODULE_FILES } from './modules';
import { writeFiles } from './testing/go-fixture';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'gobuild-modules-'));
  writeFiles(ws, {
    'go.mod': 'module example.com/ws\n\ngo 1.26\n',
    'apps/inroot/main.go': 'package main\n\nfunc main() {}\n',
    'apps/own/go.mod': `module example.com/own

go 1.26

replace (
	example.com/ws => ../..
	example.com/extlib => ../../libs/go/extlib/ // trailing slash
	example.com/again => ../../libs/go/extlib
	example.com/fork v1.0.0 => example.com/other v1.0.1
	example.com/abs => /opt/somewhere
	example.com/away => ../../../outside
)
`,
  });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('readOwnModule', () => {
  it('is undefined for a package of the root module', () => {
    expect(readOwnModule(ws, 'apps/inroot')).toBeUndefined();
    expect(readOwnModule(ws, '.')).toBeUndefined();
  });

  it("reads an own module's path and the go.mod of each workspace folder it replaces, once each", () => {
    expect(readOwnModule(ws, 'apps/own/')).toEqual({ dir: 'apps/own', path: 'example.com/own', replacedGoMods: ['go.mod', 'libs/go/extlib/go.mod'] });
  });
});

describe('moduleFilesOutside', () => {
  it("is the root module's files for a root package, and only what an own module reads outside its folder otherwise", () => {
    expect(moduleFilesOutside(undefined)).toEqual(ROOT_MODULE_FILES);
    expect(moduleFilesOutside({ dir: 'apps/x', replacedGoMods: [] })).toEqual(['go.work', 'go.work.sum']);
    expect(moduleFilesOutside({ dir: 'apps/x', replacedGoMods: ['libs/go/extlib/go.mod'] })).toEqual(['libs/go/extlib/go.mod', 'go.work', 'go.work.sum']);
  });
});
