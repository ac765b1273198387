import { readFile } from 'node:fs/promises';

/** A module as a Go binary records it: path, version and go.sum hash (none for the main module or a folder replacement). */
export interface GoModule {
  path: string;
  version: string;
  sum?: string;
}

/** A dependency as linked: the module required and, when go.mod replaced it, what was really compiled. */
export interface GoDependency extends GoModule {
  replacedBy?: GoModule;
}

/** What `go version -m` prints, read from the binary's own .go.buildinfo section. */
export interface GoBuildInfo {
  /** e.g. go1.26.8 */
  goVersion: string;
  /** The main package, e.g. github.com/hashicorp/consul-template. */
  path: string;
  main: GoModule;
  deps: GoDependency[];
  /** `build` lines: -trimpath=true, CGO_ENABLED=0, GOOS=linux… in order. */
  settings: [string, string][];
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const SECTION = '.go.buildinfo';
/** Since Go 1.18 the version and module strings follow the 32-byte header inline, each prefixed by its length as a uvarint. */
const FLAG_INLINE = 0x2;
const HEADER = 32;
/** runtime/debug wraps the module text in 16 bytes either side, so the linker can find it; only the text between counts. */
const SENTINEL = 16;

/** The file offset and size of an ELF section, by name; undefined when there is none. */
function elfSection(elf: Buffer, name: string, where: string): { offset: number; size: number } | undefined {
  if (elf.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error(`${where} is not an ELF binary: give a Go binary built for Linux`);
  const is64 = elf[4] === 2;
  const le = elf[5] === 1;
  const u16 = (o: number) => (le ? elf.readUInt16LE(o) : elf.readUInt16BE(o));
  const u32 = (o: number) => (le ? elf.readUInt32LE(o) : elf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? elf.readBigUInt64LE(o) : elf.readBigUInt64BE(o)) : u32(o));
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  if (!shoff || !shnum || shoff + shnum * shentsize > elf.length) return undefined;
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: u32(at), offset: word(at + (is64 ? 0x18 : 0x10)), size: word(at + (is64 ? 0x20 : 0x14)) };
  };
  const names = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const section = header(i);
    const start = names.offset + section.name;
    const end = elf.indexOf(0, start);
    if (elf.toString('latin1', start, end) === name) return { offset: section.offset, size: section.size };
  }
  return undefined;
}

/** An unsigned LEB128 varint (Go's binary.Uvarint) at `at`: its value and where the next field starts. */
function uvarint(data: Buffer, at: number, where: string): { value: number; next: number } {
  let value = 0;
  for (let shift = 0, i = at; i < data.length && shift < 35; i++, shift += 7) {
    const byte = data[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  throw new Error(`${where}: a damaged length in its Go build information: build the binary again`);
}

function lengthPrefixed(data: Buffer, at: number, where: string): { text: string; next: number } {
  const { value, next } = uvarint(data, at, where);
  if (next + value > data.length) throw new Error(`${where}: its Go build information runs past its section: build the binary again`);
  return { text: data.toString('utf8', next, next + value), next: next + value };
}

function moduleOf(fields: string[]): GoModule {
  return { path: fields[0] ?? '', version: fields[1] ?? '', ...(fields[2] ? { sum: fields[2] } : {}) };
}

/** Parses runtime/debug's module text: `path`, `mod`, `dep`, `=>` and `build` lines, tab-separated. */
export function parseModuleInfo(goVersion: string, text: string, where: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, path: '', main: { path: '', version: '' }, deps: [], settings: [] };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [kind, ...fields] = line.split('\t');
    if (kind === 'path') info.path = fields[0] ?? '';
    else if (kind === 'mod') info.main = moduleOf(fields);
    else if (kind === 'dep') info.deps.push(moduleOf(fields));
    else if (kind === '=>') {
      const last = info.deps.at(-1);
      if (!last) throw new Error(`${where}: its Go build information replaces a module before naming one: build the binary again`);
      last.replacedBy = moduleOf(fields);
    } else if (kind === 'build') {
      const setting = fields.join('\t');
      const eq = setting.indexOf('=');
      info.settings.push(eq < 0 ? [setting, ''] : [setting.slice(0, eq), setting.slice(eq + 1)]);
    }
  }
  if (!info.path || !info.main.path) throw new Error(`${where} has no main package or module in its Go build information: build it with module mode on (go build in a module)`);
  return info;
}

/**
 * The Go version and modules a Go binary was built from, read from its
 * .go.buildinfo section as Go's debug/buildinfo does, in TypeScript: no Go
 * toolchain is needed to describe a binary. Go 1.18 and later (inline strings).
 */
export function readGoBuildInfo(elf: Buffer, where: string): GoBuildInfo {
  const section = elfSection(elf, SECTION, where);
  if (!section) throw new Error(`${where} has no ${SECTION} section: it is not a Go binary (or its section headers were removed)`);
  const data = elf.subarray(section.offset, section.offset + section.size);
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${where}: ${SECTION} does not start with Go's build information magic: the binary is damaged`);
  if (!(data[15]! & FLAG_INLINE)) throw new Error(`${where} was built by a Go older than 1.18 (pointer-style build information): rebuild it with a current Go`);
  const version = lengthPrefixed(data, HEADER, where);
  const mod = lengthPrefixed(data, version.next, where).text;
  const text = mod.length > 2 * SENTINEL && mod[mod.length - SENTINEL - 1] === '\n' ? mod.slice(SENTINEL, mod.length - SENTINEL) : '';
  return parseModuleInfo(version.text, text, where);
}

export async function readGoBuildInfoOfFile(path: string): Promise<GoBuildInfo> {
  let elf: Buffer;
  try {
    elf = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read the Go binary ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): build it first`);
  }
  return readGoBuildInfo(elf, path);
}
