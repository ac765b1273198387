import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AARCH64_ELF_HEADER, aarch64Handler, arm64Emulation, matchesHeader, parseBinfmtEntry } from './emulation';

// What Debian bookworm's qemu-user-static registers, as /proc/sys/fs/binfmt_misc/qemu-aarch64 reads.
const QEMU_AARCH64 = `enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: PF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
`;
const X86_64_ELF_HEADER = Buffer.from('7f454c4602010100000000000000000002003e00', 'hex');

describe('parseBinfmtEntry', () => {
  it('reads state, interpreter, flags, offset, magic and mask', () => {
    const entry = parseBinfmtEntry(QEMU_AARCH64);
    expect(entry).toEqual({
      enabled: true,
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
      flags: 'PF',
      offset: 0,
      magic: Buffer.from('7f454c460201010000000000000000000200b700', 'hex'),
      mask: Buffer.from('ffffffffffffff00fffffffffffffffffeffffff', 'hex'),
    });
  });

  it('reads a disabled handler, and one matching by extension (no magic)', () => {
    expect(parseBinfmtEntry(QEMU_AARCH64.replace('enabled', 'disabled')).enabled).toBe(false);
    const byExtension = parseBinfmtEntry('enabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n');
    expect(byExtension).toEqual({ enabled: true, interpreter: '/usr/bin/wine', flags: '', offset: 0 });
    expect(matchesHeader(byExtension, AARCH64_ELF_HEADER)).toBe(false);
  });
});

describe('matchesHeader', () => {
  it('takes an aarch64 executable and a shared object (the mask ignores the low bit of e_type), not an x86-64 one', () => {
    const entry = parseBinfmtEntry(QEMU_AARCH64);
    expect(matchesHeader(entry, AARCH64_ELF_HEADER)).toBe(true);
    const sharedObject = Buffer.from(AARCH64_ELF_HEADER);
    sharedObject[16] = 3;
    expect(matchesHeader(entry, sharedObject)).toBe(true);
    expect(matchesHeader(entry, X86_64_ELF_HEADER)).toBe(false);
  });

  it('honours the offset and a header too short to hold the magic', () => {
    const shifted = { ...parseBinfmtEntry(QEMU_AARCH64), offset: 1 };
    expect(matchesHeader(shifted, Buffer.concat([Buffer.from([0]), AARCH64_ELF_HEADER]))).toBe(true);
    expect(matchesHeader(shifted, AARCH64_ELF_HEADER)).toBe(false);
  });
});

describe('aarch64Handler and arm64Emulation over a binfmt_misc folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'binfmt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const mount = (handlers: Record<string, string>, status = 'enabled') => {
    writeFileSync(join(dir, 'status'), `${status}\n`);
    writeFileSync(join(dir, 'register'), '');
    for (const [name, text] of Object.entries(handlers)) writeFileSync(join(dir, name), text);
  };

  it('is ok with an enabled aarch64 handler registered with F, under any name', async () => {
    mount({ 'python3.11': 'enabled\ninterpreter /usr/bin/python3.11\nflags: \noffset 0\nmagic a70d0d0a\n', arm64: QEMU_AARCH64 });
    expect(await aarch64Handler(dir)).toMatchObject({ ok: true, name: 'arm64', flags: 'PF' });
    expect(await arm64Emulation('x64', dir)).toEqual({ ok: true });
  });

  it('says binfmt_misc is not mounted', async () => {
    expect(await arm64Emulation('x64', dir)).toEqual({ ok: false, reason: `x64 host: binfmt_misc is not mounted at ${dir}` });
  });

  it('says binfmt_misc is disabled as a whole', async () => {
    mount({ 'qemu-aarch64': QEMU_AARCH64 }, 'disabled');
    expect(await arm64Emulation('x64', dir)).toEqual({ ok: false, reason: `x64 host: binfmt_misc is disabled (${dir}/status)` });
  });

  it('says no handler matches aarch64, how to get one', async () => {
    mount({ 'qemu-arm': QEMU_AARCH64.replace('b700', '2800') });
    expect(await arm64Emulation('x64', dir)).toEqual({
      ok: false,
      reason: `x64 host: no binfmt_misc handler for aarch64 ELF binaries in ${dir} (install qemu-user-static and binfmt-support)`,
    });
  });

  it('says the handler is disabled, and how to enable it', async () => {
    mount({ 'qemu-aarch64': QEMU_AARCH64.replace('enabled', 'disabled') });
    expect(await arm64Emulation('x64', dir)).toEqual({
      ok: false,
      reason: 'x64 host: the binfmt_misc handler qemu-aarch64 for aarch64 is disabled (update-binfmts --enable qemu-aarch64)',
    });
  });

  it('refuses a handler without F: containers could not reach its interpreter', async () => {
    mount({ 'qemu-aarch64': QEMU_AARCH64.replace('flags: PF', 'flags: P') });
    const result = await arm64Emulation('x64', dir);
    expect(result.ok === false && result.reason).toContain('lacks the F flag, so containers cannot reach its interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P');
  });

  it('needs no handler on an arm64 host', async () => {
    expect(await arm64Emulation('arm64', dir)).toEqual({ ok: true });
  });
});
