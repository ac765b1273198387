import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INIT, s6TreeFiles } from './s6-tree';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's6-init-'));
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('/init', () => {
  it('started as another user than root (docker run --user 1000): one line saying why, exit 126, nothing made', () => {
    const scanDir = join(dir, 's6');
    writeFileSync(join(dir, 'init'), s6TreeFiles(scanDir).find((f) => f.path === INIT)!.content);
    const r = spawnSync('setpriv', ['--reuid=1000', '--regid=1000', '--clear-groups', 'sh', join(dir, 'init')], { encoding: 'utf8' });
    expect(r.status).toBe(126);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('init: this image runs as root and drops each service to its own user; started as user 1000 it cannot supervise them: run it without --user\n');
    expect(existsSync(scanDir)).toBe(false);
  });
});
