import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withBuildLock } from './build-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'build-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withBuildLock', () => {
  it('runs builds of one image one after the other, and removes the lock after', async () => {
    const file = join(dir, 'images/greeter.lock');
    const events: string[] = [];
    const build = (name: string) =>
      withBuildLock(file, 'greeter', async () => {
        events.push(`${name} start`);
        expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${name} end`);
      }, () => {});
    await Promise.all([build('a'), build('b')]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(existsSync(file)).toBe(false);
  });

  it('releases the lock when the build fails', async () => {
    const file = join(dir, 'greeter.lock');
    await expect(withBuildLock(file, 'greeter', async () => Promise.reject(new Error('disk full')), () => {})).rejects.toThrow('disk full');
    expect(existsSync(file)).toBe(false);
  });

  it("takes over a lock whose process is gone, and waits, saying so, for one whose process runs", async () => {
    const file = join(dir, 'greeter.lock');
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(file, `${dead.pid}\n`);
    expect(await withBuildLock(file, 'greeter', async () => 'built', () => {})).toBe('built');

    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(file, `${other.pid}\n`);
      const lines: string[] = [];
      const waiting = withBuildLock(file, 'greeter', async () => 'second', (l) => lines.push(l));
      await new Promise((r) => setTimeout(r, 300));
      expect(lines).toEqual([`greeter: waiting for another build of it (pid ${other.pid}) to finish`]);
      other.kill('SIGKILL');
      expect(await waiting).toBe('second');
    } finally {
      other.kill('SIGKILL');
    }
  });
});
