import { existsSync, readFileSync } from 'node:fs';
import { $ } from 'zx';
import { ok, progress } from './report';

export function isDebianLike(): boolean {
  if (!existsSync('/etc/os-release')) return false;
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text);
}

/** Where the bootstrap may install Debian packages itself: as root, with apt. */
export function canAptInstall(): boolean {
  return process.getuid?.() === 0 && isDebianLike() && existsSync('/usr/bin/apt-get');
}

/**
 * How to run a command as root here: as is when root, through `sudo -n` when
 * sudo needs no password, undefined otherwise.
 */
export async function asRoot(): Promise<string[] | undefined> {
  if (process.getuid?.() === 0) return [];
  return (await $({ nothrow: true, quiet: true })`sudo -n true`).exitCode === 0 ? ['sudo', '-n'] : undefined;
}

/**
 * Installs a Debian package, updating the package lists first when apt has no candidate for it.
 * `root` prefixes the apt-get commands (e.g. sudo -n) when not running as root.
 */
export async function aptInstall(label: string, pkg: string, root: string[] = []): Promise<void> {
  const policy = await $({ nothrow: true, quiet: true })`apt-cache policy ${pkg}`;
  if (!/Candidate: (?!\(none\))/.test(policy.stdout)) {
    progress(label, 'apt-get update (package lists are empty or stale)');
    await $({ quiet: true })`${root} apt-get update`;
  }
  progress(label, `installing Debian's ${pkg} with apt-get`);
  // Through env, since sudo does not pass the caller's environment on.
  await $({ quiet: true })`${root} env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkg}`;
}

/** A Debian package the tests use as a real peer, and why. */
export interface TestPeer {
  label: string;
  pkg: string;
  binary: string;
  purpose: string;
  /** Prints the version, as the last word of its first line. */
  versionArgs: string[];
}

/**
 * The real programs the end-to-end tests run against: Debian's
 * docker-registry (the push tests start it on loopback), and skopeo and umoci,
 * which read the OCI layouts microbox writes as third parties. Installed where
 * the bootstrap may; elsewhere the line says how.
 */
export const TEST_PEERS: readonly TestPeer[] = [
  { label: 'docker-registry', pkg: 'docker-registry', binary: '/usr/bin/docker-registry', purpose: 'for the push tests', versionArgs: ['--version'] },
  { label: 'skopeo', pkg: 'skopeo', binary: '/usr/bin/skopeo', purpose: 'reads OCI layouts in the tests', versionArgs: ['--version'] },
  { label: 'umoci', pkg: 'umoci', binary: '/usr/bin/umoci', purpose: 'unpacks OCI layouts in the tests', versionArgs: ['--version'] },
];

export async function ensureTestPeer(peer: TestPeer): Promise<void> {
  if (!existsSync(peer.binary)) {
    if (!canAptInstall()) {
      ok(peer.label, `not installed: the tests need it (\`apt-get install ${peer.pkg}\` on Debian or Ubuntu)`);
      return;
    }
    await aptInstall(peer.label, peer.pkg);
  }
  const version = (await $({ nothrow: true, quiet: true })`${peer.binary} ${peer.versionArgs}`).stdout.trim().split('\n')[0]!.split(/\s+/).pop();
  ok(peer.label, `${version || 'installed'} at ${peer.binary} (${peer.purpose})`);
}
