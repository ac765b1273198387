import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureArm64Emulation, type EmulationHost } from './emulation-setup';

const QEMU_AARCH64 =
  'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n';

// Only the paths that install nothing: installing changes the host as root, which only the real bootstrap does (npm run bootstrap).
describe('ensureArm64Emulation', () => {
  let dir: string;
  let lines: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'binfmt-'));
    lines = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });
  const host = (over: Partial<EmulationHost>): EmulationHost => ({
    arch: 'x64',
    aptHost: true,
    root: async () => [],
    binfmtDir: dir,
    ...over,
  });

  it('leaves an enabled handler alone, in one ok line', async () => {
    writeFileSync(join(dir, 'status'), 'enabled\n');
    writeFileSync(join(dir, 'qemu-aarch64'), QEMU_AARCH64);
    const root = vi.fn(async () => []);
    await ensureArm64Emulation(host({ root }));
    expect(lines).toEqual(['ok    arm64 emulation       binfmt_misc handler qemu-aarch64 (flags PF): /usr/libexec/qemu-binfmt/aarch64-binfmt-P']);
    expect(root).not.toHaveBeenCalled();
  });

  it('says, in one line and without failing, why it cannot set it up elsewhere than Debian or Ubuntu', async () => {
    await ensureArm64Emulation(host({ aptHost: false }));
    expect(lines).toEqual([
      `ok    arm64 emulation       none: arm64 images cannot be run here (binfmt_misc is not mounted at ${dir}; the bootstrap sets it up only on Debian or Ubuntu)`,
    ]);
  });

  it('says, in one line, that it needs root or passwordless sudo', async () => {
    await ensureArm64Emulation(host({ root: async () => undefined }));
    expect(lines).toEqual([
      `ok    arm64 emulation       none: arm64 images cannot be run here (binfmt_misc is not mounted at ${dir}; setting it up needs root or passwordless sudo)`,
    ]);
  });

  it('needs nothing on an arm64 host', async () => {
    await ensureArm64Emulation(host({ arch: 'arm64', aptHost: false }));
    expect(lines).toEqual(['ok    arm64 emulation       not needed: this host is arm64']);
  });
});
