import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** One binfmt_misc handler, as its file under /proc/sys/fs/binfmt_misc reads. */
export interface BinfmtEntry {
  enabled: boolean;
  interpreter: string;
  /** e.g. POCF; F (fix binary) opens the interpreter at registration, so containers can use it. */
  flags: string;
  offset: number;
  /** Absent for a handler that matches by file extension. */
  magic?: Buffer;
  mask?: Buffer;
}

export function parseBinfmtEntry(text: string): BinfmtEntry {
  const lines = text.split('\n').map((l) => l.trim());
  const field = (name: string) => lines.find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}:`))?.replace(/^[^ :]+:? ?/, '');
  const magic = field('magic');
  const mask = field('mask');
  return {
    enabled: lines[0] === 'enabled',
    interpreter: field('interpreter') ?? '',
    flags: field('flags') ?? '',
    offset: Number(field('offset') ?? 0),
    ...(magic ? { magic: Buffer.from(magic, 'hex') } : {}),
    ...(mask ? { mask: Buffer.from(mask, 'hex') } : {}),
  };
}

/** The first 20 bytes of a little-endian 64-bit ELF executable for AArch64 (e_machine 183), as Go builds them. */
export const AARCH64_ELF_HEADER = Buffer.from('7f454c46020101000000000000000000' + '0200' + 'b700', 'hex');

/** Whether the kernel would hand a file starting with `header` to this handler. */
export function matchesHeader(entry: BinfmtEntry, header: Buffer): boolean {
  if (!entry.magic) return false;
  return entry.magic.every((byte, i) => {
    const mask = entry.mask?.[i] ?? 0xff;
    const at = header[entry.offset + i];
    return at !== undefined && (at & mask) === (byte & mask);
  });
}

export type Emulation = { ok: true } | { ok: false; reason: string };

/** What the handlers registered in `dir` say about running aarch64 binaries, in containers too. */
export async function aarch64Handler(dir = BINFMT_DIR): Promise<({ ok: true; name: string } & BinfmtEntry) | { ok: false; reason: string }> {
  if (!existsSync(join(dir, 'status'))) return { ok: false, reason: `binfmt_misc is not mounted at ${dir}` };
  if ((await readFile(join(dir, 'status'), 'utf8')).trim() !== 'enabled') return { ok: false, reason: `binfmt_misc is disabled (${dir}/status)` };
  const names = (await readdir(dir)).filter((n) => n !== 'status' && n !== 'register');
  const entries = await Promise.all(names.map(async (name) => ({ name, ...parseBinfmtEntry(await readFile(join(dir, name), 'utf8')) })));
  const matching = entries.filter((e) => matchesHeader(e, AARCH64_ELF_HEADER));
  const usable = matching.find((e) => e.enabled && e.flags.includes('F'));
  if (usable) return { ok: true, ...usable };
  const seen = matching[0];
  if (!seen) return { ok: false, reason: `no binfmt_misc handler for aarch64 ELF binaries in ${dir} (install qemu-user-static and binfmt-support)` };
  if (!seen.enabled) return { ok: false, reason: `the binfmt_misc handler ${seen.name} for aarch64 is disabled (update-binfmts --enable ${seen.name})` };
  return { ok: false, reason: `the binfmt_misc handler ${seen.name} for aarch64 lacks the F flag, so containers cannot reach its interpreter ${seen.interpreter}` };
}

/**
 * Whether this host can run linux/arm64 binaries and images: natively, or
 * through an enabled binfmt_misc handler for aarch64 ELF (Debian's
 * qemu-user-static registers qemu-aarch64 with the F flag).
 */
export async function arm64Emulation(arch: string = process.arch, dir = BINFMT_DIR): Promise<Emulation> {
  if (arch === 'arm64') return { ok: true };
  const handler = await aarch64Handler(dir);
  return handler.ok ? { ok: true } : { ok: false, reason: `${arch} host: ${handler.reason}` };
}
