import type { Platform } from '../../image/src/descriptor';
import { EM_AARCH64, EM_X86_64 } from '../../elf/src/elf';
import { ARCHITECTURES } from './debian/archive-settings';

/** An architecture the base is built for: Debian's and Go's name (they agree for these two). */
export type BaseboxArchitecture = (typeof ARCHITECTURES)[number];

/** Every architecture of the base, its first (amd64) the record's own image. */
export const BASEBOX_ARCHITECTURES: readonly BaseboxArchitecture[] = ARCHITECTURES;

/** Each architecture's image platform; arm64 says its variant, as Docker and registries expect. */
export const PLATFORMS: Record<BaseboxArchitecture, Platform> = {
  amd64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
};

/** The ELF e_machine of each architecture's programs, and its name in messages. */
export const ELF_MACHINES: Record<BaseboxArchitecture, { machine: number; name: string }> = {
  amd64: { machine: EM_X86_64, name: 'x86-64' },
  arm64: { machine: EM_AARCH64, name: 'AArch64' },
};
