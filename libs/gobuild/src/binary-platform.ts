import { closeSync, openSync, readSync } from 'node:fs';

/** e_machine of each GOARCH whose Linux binaries go-build can check. */
export const ELF_MACHINES: Record<string, number> = { amd64: 62, arm64: 183, '386': 3, arm: 40, riscv64: 243, ppc64le: 21, s390x: 22 };
/** EI_OSABI values a Linux kernel runs: System V (what Go writes) and GNU/Linux. */
const LINUX_OSABI = new Set([0, 3]);

/** What a binary's first bytes say it is. */
export interface BinaryKind {
  format: 'ELF' | 'Mach-O' | 'PE' | 'unknown';
  /** ELF only: EI_OSABI and e_machine. */
  osabi?: number;
  machine?: number;
}

export function binaryKind(head: Buffer): BinaryKind {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const le = head[5] === 1;
    return { format: 'ELF', osabi: head[7], machine: le ? head.readUInt16LE(18) : head.readUInt16BE(18) };
  }
  if (head.length >= 4 && [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(head.readUInt32BE(0))) return { format: 'Mach-O' };
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return { format: 'PE' };
  return { format: 'unknown' };
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the binary at `path` cannot run in a Linux image of `arch`, or
 * undefined when it can: it must be an ELF for Linux (a Mach-O or a PE
 * crash-loops with "exec format error") whose machine is the arch's (an
 * arm64 binary in an amd64 image fails the same way).
 */
export function linuxBinaryProblem(path: string, arch: string): string | undefined {
  const kind = binaryKind(readHead(path));
  if (kind.format !== 'ELF') return `it is ${kind.format === 'unknown' ? 'not an executable format we know' : `a ${kind.format} binary`}, not a Linux ELF`;
  if (!LINUX_OSABI.has(kind.osabi!)) return `its ELF OS ABI is ${kind.osabi}, not Linux's`;
  const want = ELF_MACHINES[arch];
  if (want === undefined) return `linux/${arch} is not an architecture go-build can check (${Object.keys(ELF_MACHINES).join(', ')})`;
  if (kind.machine !== want) {
    const got = Object.entries(ELF_MACHINES).find(([, m]) => m === kind.machine)?.[0];
    return `its ELF machine is ${kind.machine}${got ? ` (${got})` : ''}, not ${want} (${arch})`;
  }
  return undefined;
}
