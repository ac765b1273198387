import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageTree } from './libraries';

export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const MOZILLA = '/usr/share/ca-certificates/mozilla';

/**
 * The CA bundle, as update-ca-certificates would write it: the ca-certificates
 * package ships single certificates and no bundle, so they are concatenated,
 * sorted by name so the bundle is the same on every build.
 */
export function caBundle(tree: PackageTree): string {
  const dir = join(tree.root, MOZILLA);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.crt')).sort();
  } catch {
    throw new Error(`${MOZILLA} is not in the unpacked ca-certificates package: check its entry in the lock file`);
  }
  if (!names.length) throw new Error(`${MOZILLA} holds no certificates: check the ca-certificates entry in the lock file`);
  return names.map((n) => readFileSync(join(dir, n), 'utf8').replace(/\n*$/, '\n')).join('');
}
