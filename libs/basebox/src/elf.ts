/**
 * Reads what the dynamic loader reads from an ELF file: its interpreter
 * (PT_INTERP) and the libraries it needs (DT_NEEDED). Program headers only,
 * so stripped files (no section headers worth trusting) read the same.
 */
export interface ElfLinking {
  /** The loader path, e.g. /lib64/ld-linux-x86-64.so.2; undefined for a static file. */
  interpreter?: string;
  /** DT_NEEDED sonames, in file order. */
  needed: string[];
  soname?: string;
  /** DT_RUNPATH or DT_RPATH, as written. */
  runpath?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export function isElf(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46;
}

function cString(data: Buffer, offset: number): string {
  const end = data.indexOf(0, offset);
  return data.toString('utf8', offset, end < 0 ? data.length : end);
}

export function readElfLinking(data: Buffer, name = 'file'): ElfLinking {
  if (!isElf(data)) throw new Error(`${name} is not an ELF file`);
  if (data[4] !== 2 || data[5] !== 1) {
    throw new Error(`${name} is not a 64-bit little-endian ELF file: only those (x86-64, arm64) are read`);
  }
  const phoff = Number(data.readBigUInt64LE(0x20));
  const phentsize = data.readUInt16LE(0x36);
  const phnum = data.readUInt16LE(0x38);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 40 > data.length) throw new Error(`${name} is truncated: program header ${i} lies past its end`);
    segments.push({
      type: data.readUInt32LE(at),
      offset: Number(data.readBigUInt64LE(at + 8)),
      vaddr: Number(data.readBigUInt64LE(at + 16)),
      filesz: Number(data.readBigUInt64LE(at + 32)),
    });
  }
  const linking: ElfLinking = { needed: [] };
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) linking.interpreter = cString(data, interp.offset);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return linking;

  const entries: [bigint, bigint][] = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.filesz; at += 16) {
    const tag = data.readBigInt64LE(at);
    if (tag === DT_NULL) break;
    entries.push([tag, data.readBigUInt64LE(at + 8)]);
  }
  const strtabAddr = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  if (strtabAddr === undefined) throw new Error(`${name} has a dynamic section without a string table`);
  // DT_STRTAB is an address in memory: find the loaded segment that maps it to the file.
  const addr = Number(strtabAddr);
  const load = segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz);
  if (!load) throw new Error(`${name}: its string table address 0x${addr.toString(16)} is in no loaded segment`);
  const strtab = load.offset + (addr - load.vaddr);
  for (const [tag, value] of entries) {
    const text = () => cString(data, strtab + Number(value));
    if (tag === DT_NEEDED) linking.needed.push(text());
    else if (tag === DT_SONAME) linking.soname = text();
    else if (tag === DT_RUNPATH || (tag === DT_RPATH && !linking.runpath)) linking.runpath = text();
  }
  return linking;
}
