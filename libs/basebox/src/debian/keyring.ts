import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Key, readKeys } from 'openpgp';

/** Where the Debian archive keys live, relative to the workspace root (see its README). */
export const KEYRING_DIR = 'libs/basebox/keys';

/** Every public key of the *.asc files in dir: the keys an InRelease may be signed with. */
export async function readKeyring(dir: string): Promise<Key[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.asc')).sort();
  } catch {
    throw new Error(`the Debian archive keyring ${dir} cannot be read: it is part of the repository (${KEYRING_DIR}), restore it with git`);
  }
  if (!names.length) throw new Error(`${dir} holds no *.asc key: restore ${KEYRING_DIR} with git`);
  const keys: Key[] = [];
  for (const name of names) {
    try {
      keys.push(...(await readKeys({ armoredKeys: await readFile(join(dir, name), 'utf8') })));
    } catch (err) {
      throw new Error(`${join(dir, name)} is not an armored OpenPGP public key (${(err as Error).message}): restore it with git`);
    }
  }
  return keys;
}
