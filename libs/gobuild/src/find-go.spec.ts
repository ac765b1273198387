import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findGo, goCandidates, isAtLeast, parseGoVersion } from './find-go';

describe('parseGoVersion', () => {
  it('reads release, minor-only and pre-release forms', () => {
    expect(parseGoVersion('go1.26.8')).toEqual([1, 26, 8]);
    expect(parseGoVersion('go1.26')).toEqual([1, 26, 0]);
    expect(parseGoVersion('go1.27rc1')).toEqual([1, 27, 0]);
    expect(parseGoVersion('devel')).toBeUndefined();
  });
});

describe('isAtLeast', () => {
  it('compares component by component', () => {
    expect(isAtLeast([1, 26, 0], [1, 26])).toBe(true);
    expect(isAtLeast([1, 27, 0], [1, 26])).toBe(true);
    expect(isAtLeast([2, 0, 0], [1, 26])).toBe(true);
    expect(isAtLeast([1, 25, 9], [1, 26])).toBe(false);
    expect(isAtLeast([1, 9, 0], [1, 26])).toBe(false);
  });
});

describe('goCandidates', () => {
  it('looks on PATH first, then in the usual install folder', () => {
    const list = goCandidates({ PATH: '/opt/a:/opt/b' });
    expect(list.slice(0, 3)).toEqual(['/opt/a/go', '/opt/b/go', '/usr/local/go/bin/go']);
  });
});

describe('findGo', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('passes over a go older than MIN_GO that comes first on PATH', () => {
    const real = findGo();
    dir = mkdtempSync(join(tmpdir(), 'find-go-'));
    writeFileSync(join(dir, 'go'), '#!/bin/sh\necho go1.25.9\n', { mode: 0o755 });
    const found = findGo({ ...process.env, PATH: `${dir}:${dirname(real.path)}` });
    expect(found).toEqual({ path: join(dirname(real.path), 'go'), version: real.version });
  });
});
