import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectCachedTool, installTool, toolBinary, toolDir, toolsDir } from './tool-cache';

const tool = { name: 'hello', version: '1.2.3' };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tool-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeBinary = async (_work: string, bin: string) => writeFileSync(bin, '#!/bin/sh\necho hello 1.2.3\n', { mode: 0o755 });
const accept = async () => undefined;

describe('toolsDir', () => {
  it('prefers MICROBOX_TOOLS_DIR, then XDG_CACHE_HOME', () => {
    expect(toolsDir({ MICROBOX_TOOLS_DIR: '/x/tools', XDG_CACHE_HOME: '/y' })).toBe('/x/tools');
    expect(toolsDir({ XDG_CACHE_HOME: '/y' })).toBe('/y/microbox/tools');
  });
});

describe('toolDir', () => {
  it('keeps a build for another platform beside the host build, the binary keeping its name', () => {
    expect(toolDir(tool, '/c')).toBe('/c/hello/1.2.3');
    expect(toolBinary({ ...tool, platform: 'linux/arm64' }, '/c')).toBe('/c/hello/1.2.3-linux-arm64/bin/hello');
  });
});

describe('installTool and inspectCachedTool', () => {
  it('records a finished build, which then inspects as ready', async () => {
    const record = await installTool(tool, writeBinary, accept, dir);
    expect(record.size).toBeGreaterThan(0);
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    const state = await inspectCachedTool(tool, dir);
    expect(state).toMatchObject({ state: 'ready', path: toolBinary(tool, dir) });
    expect(readdirSync(join(dir, 'hello'))).toEqual(['1.2.3']);
  });

  it('reports a missing tool as missing', async () => {
    expect(await inspectCachedTool(tool, dir)).toEqual({ state: 'missing', reason: 'not built yet' });
  });

  it('takes a truncated binary for broken, naming both sizes', async () => {
    const record = await installTool(tool, writeBinary, accept, dir);
    truncateSync(toolBinary(tool, dir), 3);
    const state = await inspectCachedTool(tool, dir);
    expect(state.state).toBe('broken');
    expect(state.state !== 'ready' && state.reason).toContain(`is 3 bytes, was built as ${record.size}`);
  });

  it('takes a changed binary of the same size for broken', async () => {
    await installTool(tool, writeBinary, accept, dir);
    writeFileSync(toolBinary(tool, dir), '#!/bin/sh\necho HELLO 1.2.3\n');
    const state = await inspectCachedTool(tool, dir);
    expect(state.state !== 'ready' && state.reason).toContain('sha256 differs');
  });

  it('never takes a folder without its record (an interrupted build) for a good tool', async () => {
    mkdirSync(join(toolDir(tool, dir), 'bin'), { recursive: true });
    writeFileSync(toolBinary(tool, dir), 'half');
    const state = await inspectCachedTool(tool, dir);
    expect(state.state).toBe('broken');
    expect(state.state !== 'ready' && state.reason).toContain('unfinished build');
  });

  it('leaves nothing behind when the build or the version check fails', async () => {
    await expect(installTool(tool, async () => Promise.reject(new Error('compile error')), accept, dir)).rejects.toThrow('compile error');
    expect(existsSync(toolDir(tool, dir))).toBe(false);
    await expect(
      installTool(tool, writeBinary, async () => Promise.reject(new Error('wrong version')), dir),
    ).rejects.toThrow('wrong version');
    expect(readdirSync(join(dir, 'hello'))).toEqual([]);
  });

  it('keeps the installed tool when a later build fails', async () => {
    await installTool(tool, writeBinary, accept, dir);
    await expect(installTool(tool, async () => Promise.reject(new Error('offline')), accept, dir)).rejects.toThrow('offline');
    expect((await inspectCachedTool(tool, dir)).state).toBe('ready');
  });
});
