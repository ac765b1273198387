import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../../libs/gobuild/src/testing/go-fixture';
import goTestExecutor from './executor';

let ws: string;
const context = (root: string) =>
  ({ root: ws, cwd: ws, isVerbose: false, projectName: 'p', projectsConfigurations: { version: 2, projects: { p: { root } } } }) as unknown as ExecutorContext;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'go-test-executor-'));
  writeGoFixture(ws);
  writeFiles(ws, {
    'libs/go/failing/f.go': 'package failing\n\nfunc One() int { return 2 }\n',
    'libs/go/failing/nested/n.go': 'package nested\n',
    'libs/go/failing/nested/n_test.go': 'package nested\n\nimport "testing"\n\nfunc TestNested(t *testing.T) { t.Fatal("nested package failed on purpose") }\n',
    'libs/go/broken/b.go': 'package broken\n\nfunc X() int { return "not an int" }\n',
  });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('go-test executor', () => {
  it('passes when the project\'s Go tests pass (the project root by default)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await goTestExecutor({}, context('libs/go/shared'))).toEqual({ success: true });
    expect(await goTestExecutor({ root: 'libs/go/extlib', args: ['-count=1'] }, context('apps/beta'))).toEqual({ success: true });
  });

  it('fails on a failing test in a nested package, and on a compile error', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    process.stdout.write('go-test executor spec: the FAIL lines below are expected (Go\'s own output, passed through)\n');
    expect(await goTestExecutor({}, context('libs/go/failing'))).toEqual({ success: false });
    expect(await goTestExecutor({}, context('libs/go/broken'))).toEqual({ success: false });
  });
});
