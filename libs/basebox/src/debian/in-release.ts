import { type Key, readCleartextMessage, verify } from 'openpgp';
import type { DebianSource } from './archive-settings';
import { fetchBytes } from './fetch-url';

/** An index file a Release lists, with the size and sha256 it must have. */
export interface ReleaseFile {
  size: number;
  sha256: string;
}

/** The fields of a suite's signed Release that a lock refresh uses. */
export interface Release {
  /** The Codename (e.g. bookworm-security), or the Suite when there is none. */
  suite: string;
  date: string;
  /** Set on suites that are re-signed often (security): a copy older than this is a replay. */
  validUntil?: string;
  /** The archive serves index files under by-hash/SHA256/, so a mirror update between two requests cannot mix versions. */
  acquireByHash: boolean;
  /** Index files by path below dists/<suite>/. */
  files: Map<string, ReleaseFile>;
}

export function inReleaseUrl(source: DebianSource): string {
  return `${source.url}/dists/${source.suite}/InRelease`;
}

/** Parses the (already verified) text of a Release file. */
export function parseRelease(text: string, where: string): Release {
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const files = new Map<string, ReleaseFile>();
  const block = /^SHA256:[ \t]*\n((?:[ \t].*(?:\n|$))*)/m.exec(text)?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) files.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  const suite = field('Suite');
  const codename = field('Codename');
  const date = field('Date');
  if (!date || !files.size) throw new Error(`${where} has no Date or no SHA256 list: it is not a Debian Release file; check the mirror`);
  return { suite: codename ?? suite ?? '', date, validUntil: field('Valid-Until'), acquireByHash: field('Acquire-By-Hash') === 'yes', files };
}

/** Refuses a signed Release of another suite than the one asked for, or one past its Valid-Until: both are what a hostile mirror could replay. */
export function checkRelease(release: Release, suite: string, where: string, now = new Date()): void {
  if (release.suite !== suite) throw new Error(`${where} is the Release of ${release.suite || 'no named suite'}, not ${suite}: the mirror serves the wrong suite; check its URL`);
  if (release.validUntil && !(Date.parse(release.validUntil) > now.getTime())) {
    throw new Error(`${where} expired on ${release.validUntil} (Valid-Until): the mirror serves a stale copy; try again later or use another mirror`);
  }
}

/**
 * The text an InRelease signs, once its OpenPGP signatures are checked: at
 * least one by a key of the keyring, and none by a keyring key that fails.
 * Signatures by keys we do not ship (an older or newer release's) are ignored.
 */
export async function verifyInRelease(armored: string, keys: Key[], where: string): Promise<string> {
  let message;
  try {
    message = await readCleartextMessage({ cleartextMessage: armored });
  } catch (err) {
    throw new Error(`${where} is not a cleartext-signed InRelease (${(err as Error).message}): check the mirror`);
  }
  const known = new Set(keys.flatMap((k) => k.getKeyIDs().map((id) => id.toHex())));
  const result = await verify({ message, verificationKeys: keys });
  let good = 0;
  for (const signature of result.signatures) {
    const id = signature.keyID.toHex();
    if (!known.has(id)) continue;
    try {
      await signature.verified;
      good++;
    } catch (err) {
      throw new Error(`${where} has a bad signature by Debian archive key ${id} (${(err as Error).message}): the file was altered on the way; use another mirror (MICROBOX_DEBIAN_MIRROR)`);
    }
  }
  if (!good) {
    const ids = result.signatures.map((s) => s.keyID.toHex()).join(', ') || 'none';
    throw new Error(`${where} is signed by no key of the Debian archive keyring (signed by: ${ids}): use a Debian mirror, or update libs/basebox/keys from debian-archive-keyring`);
  }
  return result.data as string;
}

/** Fetches a suite's InRelease, verifies its signature, and parses what it signs. */
export async function fetchRelease(source: DebianSource, keys: Key[]): Promise<Release> {
  const url = inReleaseUrl(source);
  const armored = (await fetchBytes(url, `check the mirror ${source.url} (MICROBOX_DEBIAN_MIRROR) and the network`)).toString('utf8');
  const release = parseRelease(await verifyInRelease(armored, keys, url), url);
  checkRelease(release, source.suite, url);
  return release;
}
