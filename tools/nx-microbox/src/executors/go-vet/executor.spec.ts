import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../../libs/gobuild/src/testing/go-fixture';
import goVetExecutor from './executor';

let ws: string;
const context = (root: string) =>
  ({ root: ws, cwd: ws, isVerbose: false, projectName: 'p', projectsConfigurations: { version: 2, projects: { p: { root } } } }) as unknown as ExecutorContext;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'go-vet-executor-'));
  writeGoFixture(ws);
  writeFiles(ws, {
    'apps/sloppy/main.go': 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Printf("%d\\n", "not a number") }\n',
  });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('go-vet executor', () => {
  it('passes clean code and fails on a vet finding', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await goVetExecutor({}, context('apps/alpha'))).toEqual({ success: true });
    expect(await goVetExecutor({}, context('apps/sloppy'))).toEqual({ success: false });
  });
});
