import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inferVitestTargets } from './vitest-targets';

let root: string;
function files(paths: string[]) {
  root = mkdtempSync(join(tmpdir(), 'vitest-targets-'));
  for (const p of paths) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), '');
  }
}
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('inferVitestTargets', () => {
  it('adds test for nested specs and e2e for e2e files, scoped to the project folder', () => {
    files(['libs/a/src/deep/x.spec.ts', 'libs/a/e2e/run.e2e.ts']);
    const targets = inferVitestTargets(root, 'libs/a');
    expect(Object.keys(targets).sort()).toEqual(['e2e', 'test']);
    expect(targets.test.command).toBe('vitest run --project unit libs/a/');
    expect(targets.test.cache).toBe(true);
    expect(targets.e2e.command).toBe('vitest run --project e2e libs/a/');
    expect(targets.e2e.cache).toBe(false);
  });

  it('adds nothing for a project without tests, and ignores node_modules', () => {
    files(['libs/b/src/index.ts', 'libs/b/src/node_modules/y.spec.ts', 'libs/b/e2e/helper.ts']);
    expect(inferVitestTargets(root, 'libs/b')).toEqual({});
  });
});
