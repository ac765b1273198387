import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkS6Overrides } from './s6-overrides';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's6-overrides-'));
  mkdirSync(join(dir, 's6/app'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (path: string, mode: number) => {
  writeFileSync(join(dir, path), '#!/bin/sh\n');
  chmodSync(join(dir, path), mode);
};

describe('checkS6Overrides', () => {
  it('takes executable scripts and data files of any mode, and a service with no s6 folder', () => {
    put('s6/app/run', 0o755);
    put('s6/app/finish', 0o700);
    put('s6/app/timeout-kill', 0o644);
    expect(() => checkS6Overrides('greeter', dir)).not.toThrow();
    expect(() => checkS6Overrides('greeter', join(dir, 'none'))).not.toThrow();
  });

  it.each(['s6/app/finish', 's6/app/run'])('refuses %s without its run bit, naming it, its mode and chmod +x', (path) => {
    put(path, 0o644);
    expect(() => checkS6Overrides('greeter', dir)).toThrow(`s6 script ${path} of greeter is not executable (mode 0644): s6 cannot run it; make it executable with \`chmod +x ${join(dir, path)}\``);
  });
});
