import { readFile } from 'node:fs/promises';
import type { ImageEntry } from '../../image/src/entries';
import { isElf, readElfLinkage } from '../../elf/src/elf';
import { type BaseboxArchitecture, ELF_MACHINES } from './platforms';

export const CONSUL_TEMPLATE = '/usr/bin/consul-template';

/**
 * The consul-template binary the bootstrap built for an architecture,
 * checked to be a static ELF for that machine: the image has only the
 * libraries s6 needs, so a dynamic build would not run, nor would one of
 * another architecture.
 */
export async function consulTemplateEntry(binary: string, architecture: BaseboxArchitecture): Promise<ImageEntry> {
  let data: Buffer;
  try {
    data = await readFile(binary);
  } catch {
    throw new Error(`consul-template binary ${binary} does not exist: run \`npm run bootstrap\` to build it, or pass consulTemplate.${architecture}=<path to a static build>`);
  }
  if (!isElf(data)) throw new Error(`consul-template binary ${binary} is not an ELF executable: run \`npm run bootstrap\` to build it again`);
  const linking = readElfLinkage(data);
  const wanted = ELF_MACHINES[architecture];
  if (linking.machine !== wanted.machine) {
    const actual = Object.values(ELF_MACHINES).find((m) => m.machine === linking.machine)?.name ?? `e_machine ${linking.machine}`;
    throw new Error(`consul-template binary ${binary} is for ${actual}, not ${wanted.name} (${architecture}): build it with GOARCH=${architecture}, or pass the ${architecture} build as consulTemplate.${architecture}`);
  }
  if (linking.interpreter || linking.needed.length) {
    throw new Error(`consul-template binary ${binary} is dynamically linked (needs ${linking.needed.join(', ') || linking.interpreter}): build it with CGO_ENABLED=0`);
  }
  return { type: 'file', path: CONSUL_TEMPLATE, content: data, mode: 0o755 };
}
