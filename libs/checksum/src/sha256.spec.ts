import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sha256File } from './sha256';

it('hashes a file as sha256sum does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sha256-'));
  try {
    writeFileSync(join(dir, 'f'), 'abc');
    expect(await sha256File(join(dir, 'f'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
