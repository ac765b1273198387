import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_COMMAND } from '../lock';

/** One signed suite of a Debian archive, e.g. bookworm at http://deb.debian.org/debian. */
export interface DebianSource {
  suite: string;
  /** The archive's root URL, without a trailing slash: dists/ and pool/ are below it. */
  url: string;
}

/** Where the base's packages come from, and for which architectures. */
export interface ArchiveSettings {
  /** Searched together: a package's highest version among them is pinned (security fixes live in their own suite). */
  sources: DebianSource[];
  component: string;
  architectures: string[];
}

export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
export const SUITES = { main: 'bookworm', security: 'bookworm-security' } as const;
export const ARCHITECTURES = ['amd64', 'arm64'] as const;

const APT_SOURCES = '/etc/apt/sources.list.d';

/** The URIs an apt sources file names (deb822 `URIs:` lines, or one-line `deb URL suite ...`). */
export function aptSourceUrls(text: string): string[] {
  const urls: string[] = [];
  for (const line of text.split('\n')) {
    const deb822 = /^URIs:\s*(.+)$/i.exec(line.trim());
    if (deb822) urls.push(...deb822[1]!.split(/\s+/));
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line.trim());
    if (oneLine) urls.push(oneLine[1]!);
  }
  return urls.map((u) => u.replace(/\/+$/, ''));
}

/** The URLs of this machine's apt sources, if it has any: the mirror its admin chose is likely the closest. */
function hostAptUrls(dir = APT_SOURCES): string[] {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.sources') || f.endsWith('.list'));
    return files.flatMap((f) => aptSourceUrls(readFileSync(join(dir, f), 'utf8')));
  } catch {
    return [];
  }
}

function checkedUrl(value: string, variable: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new Error(`${variable}=${JSON.stringify(value)} is not an http(s) URL: set it to a Debian mirror such as ${DEBIAN_MIRROR}`);
  return value.replace(/\/+$/, '');
}

/**
 * The archive settings: bookworm and bookworm-security, main, amd64 and arm64.
 * The mirrors are MICROBOX_DEBIAN_MIRROR and MICROBOX_DEBIAN_SECURITY_MIRROR,
 * else the ones this machine's apt sources name, else deb.debian.org.
 */
export function archiveSettings(env: NodeJS.ProcessEnv = process.env, aptUrls: string[] = hostAptUrls()): ArchiveSettings {
  const security = aptUrls.find((u) => /\/debian-security$/.test(u));
  const main = aptUrls.find((u) => /\/debian$/.test(u));
  return {
    sources: [
      { suite: SUITES.main, url: env.MICROBOX_DEBIAN_MIRROR ? checkedUrl(env.MICROBOX_DEBIAN_MIRROR, 'MICROBOX_DEBIAN_MIRROR') : (main ?? DEBIAN_MIRROR) },
      {
        suite: SUITES.security,
        url: env.MICROBOX_DEBIAN_SECURITY_MIRROR
          ? checkedUrl(env.MICROBOX_DEBIAN_SECURITY_MIRROR, 'MICROBOX_DEBIAN_SECURITY_MIRROR')
          : (security ?? DEBIAN_SECURITY_MIRROR),
      },
    ],
    component: 'main',
    architectures: [...ARCHITECTURES],
  };
}

/** The source a lock entry names, or an error saying which suites the settings know. */
export function sourceFor(settings: ArchiveSettings, suite: string, where: string): DebianSource {
  const source = settings.sources.find((s) => s.suite === suite);
  if (!source) throw new Error(`${where} comes from suite ${suite}, which the archive settings do not name (${settings.sources.map((s) => s.suite).join(', ')}): run \`${LOCK_COMMAND}\``);
  return source;
}
