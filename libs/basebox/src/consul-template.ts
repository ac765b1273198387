import { readFile } from 'node:fs/promises';
import type { ImageEntry } from '../../image/src/entries';
import { isElf, readElfLinkage } from '../../elf/src/elf';

export const CONSUL_TEMPLATE = '/usr/bin/consul-template';

/**
 * The consul-template binary the bootstrap built, checked to be a static ELF:
 * the image has only the libraries s6 needs, so a dynamic build would not run.
 */
export async function consulTemplateEntry(binary: string): Promise<ImageEntry> {
  let data: Buffer;
  try {
    data = await readFile(binary);
  } catch {
    throw new Error(`consul-template binary ${binary} does not exist: run \`npm run bootstrap\` to build it, or pass consulTemplate=<path to a static build>`);
  }
  if (!isElf(data)) throw new Error(`consul-template binary ${binary} is not an ELF executable: run \`npm run bootstrap\` to build it again`);
  const linking = readElfLinkage(data);
  if (linking.interpreter || linking.needed.length) {
    throw new Error(`consul-template binary ${binary} is dynamically linked (needs ${linking.needed.join(', ') || linking.interpreter}): build it with CGO_ENABLED=0`);
  }
  return { type: 'file', path: CONSUL_TEMPLATE, content: data, mode: 0o755 };
}
