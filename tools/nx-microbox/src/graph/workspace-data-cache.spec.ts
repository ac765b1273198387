import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceDataCache } from './workspace-data-cache';

let ws: string;
const saved = process.env.NX_WORKSPACE_DATA_DIRECTORY;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'ws-data-cache-'));
  delete process.env.NX_WORKSPACE_DATA_DIRECTORY; // Nx's default folder, in the workspace
});
afterAll(() => {
  if (saved !== undefined) process.env.NX_WORKSPACE_DATA_DIRECTORY = saved;
  rmSync(ws, { recursive: true, force: true });
});

const file = () => join(ws, '.nx/workspace-data/test-cache.json');

describe('WorkspaceDataCache', () => {
  it('computes a value once, keeps it on disk for the next process, and forgets keys no longer used', () => {
    const cache = new WorkspaceDataCache<string[]>('test-cache.json', 1);
    let computed = 0;
    const value = (v: string) => () => (computed++, [v]);
    expect(cache.get(ws, 'a', value('a'))).toEqual(['a']);
    expect(cache.get(ws, 'b', value('b'))).toEqual(['b']);
    expect(cache.get(ws, 'a', value('x'))).toEqual(['a']);
    expect([computed, cache.misses]).toEqual([2, 2]);
    cache.save(ws);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ version: 1, entries: { a: ['a'], b: ['b'] } });

    // The next computation uses only `a` and a new `c`: `b` belonged to a file that changed.
    const next = new WorkspaceDataCache<string[]>('test-cache.json', 1);
    expect(next.get(ws, 'a', value('x'))).toEqual(['a']);
    expect(next.get(ws, 'c', value('c'))).toEqual(['c']);
    expect(next.misses).toBe(1);
    next.save(ws);
    expect(JSON.parse(readFileSync(file(), 'utf8')).entries).toEqual({ a: ['a'], c: ['c'] });
  });

  it('hands out copies, and ignores a file of another version or an unreadable one', () => {
    const cache = new WorkspaceDataCache<string[]>('test-cache.json', 2);
    const got = cache.get(ws, 'a', () => ['fresh']);
    expect(got).toEqual(['fresh']); // version 1 on disk: not read
    got.push('changed by the caller');
    expect(cache.get(ws, 'a', () => ['again'])).toEqual(['fresh']);

    writeFileSync(file(), '{ not json');
    const broken = new WorkspaceDataCache<string[]>('test-cache.json', 2);
    expect(broken.get(ws, 'a', () => ['computed'])).toEqual(['computed']);
  });
});
