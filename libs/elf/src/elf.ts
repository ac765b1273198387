import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

/** What the ELF header and dynamic section say about how a binary is linked. */
export interface ElfLinkage {
  /** The program interpreter (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2; absent when static. */
  interpreter?: string;
  /** Shared libraries the binary needs (DT_NEEDED), in order. */
  needed: string[];
  /** A shared library's own name (DT_SONAME). */
  soname?: string;
  /** Where it looks for libraries first: DT_RUNPATH, else DT_RPATH, as written. */
  runpath?: string;
  /** True when there is neither an interpreter nor a needed library. */
  isStatic: boolean;
  /** e_machine, e.g. 62 (x86-64) or 183 (AArch64). */
  machine: number;
  class: 32 | 64;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

export class NotElfError extends Error {}

export function isElf(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46;
}

/**
 * Reads the linkage of an ELF file from its program headers: PT_INTERP and the
 * DT_NEEDED entries of PT_DYNAMIC (names from DT_STRTAB, mapped through the
 * PT_LOAD segments). Works on 32/64-bit, little and big endian.
 */
export function readElfLinkage(bytes: Buffer): ElfLinkage {
  if (bytes.length < 52 || !isElf(bytes)) {
    throw new NotElfError('not an ELF file');
  }
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const addr = (o: number) => (is64 ? Number(le ? bytes.readBigUInt64LE(o) : bytes.readBigUInt64BE(o)) : u32(o));
  const check = (end: number) => {
    if (end > bytes.length) throw new NotElfError('truncated ELF file');
  };

  const machine = u16(18);
  const phoff = addr(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);

  interface Segment { type: number; offset: number; vaddr: number; filesz: number }
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    check(o + phentsize);
    segments.push(
      is64
        ? { type: u32(o), offset: addr(o + 8), vaddr: addr(o + 16), filesz: addr(o + 32) }
        : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16) },
    );
  }

  const cstring = (offset: number) => {
    check(offset + 1);
    const end = bytes.indexOf(0, offset);
    return bytes.toString('latin1', offset, end < 0 ? bytes.length : end);
  };
  const fileOffsetOf = (vaddr: number) => {
    const seg = segments.find((s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz);
    return seg ? seg.offset + (vaddr - seg.vaddr) : undefined;
  };

  let interpreter: string | undefined;
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) {
    check(interp.offset + interp.filesz);
    interpreter = cstring(interp.offset);
  }

  const needed: string[] = [];
  let soname: string | undefined;
  let runpath: string | undefined;
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (dyn) {
    check(dyn.offset + dyn.filesz);
    const entSize = is64 ? 16 : 8;
    const strings: [tag: number, offset: number][] = [];
    let strtab: number | undefined;
    for (let o = dyn.offset; o + entSize <= dyn.offset + dyn.filesz; o += entSize) {
      const tag = addr(o);
      const val = addr(o + (is64 ? 8 : 4));
      if (tag === DT_NULL) break;
      if (tag === DT_STRTAB) strtab = val;
      else if (tag === DT_NEEDED || tag === DT_SONAME || tag === DT_RPATH || tag === DT_RUNPATH) strings.push([tag, val]);
    }
    // DT_STRTAB is an address in memory: the loaded segment that maps it gives its place in the file.
    const strtabOffset = strtab === undefined ? undefined : fileOffsetOf(strtab);
    const text = (tag: number, n: number) => (strtabOffset === undefined ? `<dynamic tag ${tag} #${n}>` : cstring(strtabOffset + n));
    for (const [tag, n] of strings) {
      if (tag === DT_NEEDED) needed.push(text(tag, n));
      else if (tag === DT_SONAME) soname = text(tag, n);
      else if (tag === DT_RUNPATH || runpath === undefined) runpath = text(tag, n);
    }
  }

  return {
    interpreter,
    needed,
    soname,
    runpath,
    isStatic: interpreter === undefined && needed.length === 0,
    machine,
    class: is64 ? 64 : 32,
  };
}

/** Reads only as much of the file as the headers need (Go binaries are megabytes). */
export function readElfLinkageOfFile(path: string): ElfLinkage {
  // Program headers and the dynamic section of a Go or C binary sit in the
  // first pages; fall back to the whole file if they do not.
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(fd, head, 0, head.length, 0);
    try {
      return readElfLinkage(head);
    } catch (err) {
      if (!(err instanceof NotElfError) || head.length === size || !/truncated/.test(err.message)) throw err;
      const all = Buffer.alloc(size);
      readSync(fd, all, 0, size, 0);
      return readElfLinkage(all);
    }
  } finally {
    closeSync(fd);
  }
}
