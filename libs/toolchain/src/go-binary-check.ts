import { readFile } from 'node:fs/promises';
import { readElfLinkage, type ElfLinkage } from '../../elf/src/elf';
import { readGoBuildInfo, type GoBuildInfo } from '../../gobuild/src/go-buildinfo';
import type { GoTarget } from './go-target';

/** What a Go tool built for a fixed platform must be, as its own build information and ELF header say. */
export interface GoBinaryExpectation extends GoTarget {
  /** The main module, e.g. github.com/hashicorp/consul-template. */
  module: string;
  /** e.g. v0.42.1 */
  version: string;
  /** ELF e_machine, e.g. EM_AARCH64. */
  machine: number;
}

/** Every way the binary differs from what was asked for; empty when it is the right one. */
export function goBinaryProblems(info: GoBuildInfo, linkage: ElfLinkage, want: GoBinaryExpectation): string[] {
  const settings = new Map(info.settings);
  const problems: string[] = [];
  const expect = (what: string, got: string | number | undefined, wanted: string | number) => {
    if (got !== wanted) problems.push(`${what} is ${got ?? 'not recorded'}, expected ${wanted}`);
  };
  expect('its main module', info.main.path, want.module);
  expect('its version', info.main.version, want.version);
  expect('GOOS', settings.get('GOOS'), want.goos);
  expect('GOARCH', settings.get('GOARCH'), want.goarch);
  expect('CGO_ENABLED', settings.get('CGO_ENABLED'), '0');
  expect('its ELF machine', linkage.machine, want.machine);
  if (!linkage.isStatic) problems.push(`it is dynamically linked (${linkage.interpreter ?? linkage.needed.join(', ')})`);
  return problems;
}

/**
 * Checks a Go binary without running it (it may be for a platform this
 * host cannot run): module, version, GOOS/GOARCH and CGO_ENABLED from its Go
 * build information, machine and static linkage from its ELF headers.
 */
export async function checkGoBinary(path: string, want: GoBinaryExpectation): Promise<void> {
  const bytes = await readFile(path);
  const problems = goBinaryProblems(readGoBuildInfo(bytes, path), readElfLinkage(bytes), want);
  if (problems.length) throw new Error(`${path} is not ${want.module}@${want.version} for ${want.goos}/${want.goarch}, static: ${problems.join('; ')}`);
}
