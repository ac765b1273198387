import { existsSync } from 'node:fs';
import { $ } from 'zx';
import { aptInstall, asRoot, isDebianLike } from './apt';
import { aarch64Handler, BINFMT_DIR } from './emulation';
import { ok, progress } from './report';

const LABEL = 'arm64 emulation';

/** Debian's packages, with the file each one brings that tells it is installed. */
const PACKAGES = [
  { pkg: 'qemu-user-static', file: '/usr/bin/qemu-aarch64-static' },
  { pkg: 'binfmt-support', file: '/usr/sbin/update-binfmts' },
];

const cannot = (reason: string) => ok(LABEL, `none: arm64 images cannot be run here (${reason})`);

/** What the step needs to know of the host; the real one by default. */
export interface EmulationHost {
  arch: string;
  /** Debian or Ubuntu, with apt-get. */
  aptHost: boolean;
  /** The prefix that runs a command as root, or undefined when it cannot. */
  root(): Promise<string[] | undefined>;
  binfmtDir: string;
}

const thisHost = (): EmulationHost => ({
  arch: process.arch,
  aptHost: isDebianLike() && existsSync('/usr/bin/apt-get'),
  root: asRoot,
  binfmtDir: BINFMT_DIR,
});

/**
 * The bootstrap's step that lets this host run linux/arm64 binaries and
 * images: on Debian or Ubuntu, as root (or with passwordless sudo), Debian's
 * qemu-user-static and binfmt-support, binfmt_misc mounted and the
 * qemu-aarch64 handler enabled. Anywhere else it says why not, in one line,
 * and never stops the bootstrap: only the arm64 run tests need it.
 */
export async function ensureArm64Emulation(host: EmulationHost = thisHost()): Promise<void> {
  if (host.arch === 'arm64') return ok(LABEL, 'not needed: this host is arm64');
  const before = await aarch64Handler(host.binfmtDir);
  if (before.ok) return ok(LABEL, `binfmt_misc handler ${before.name} (flags ${before.flags}): ${before.interpreter}`);
  if (!host.aptHost) return cannot(`${before.reason}; the bootstrap sets it up only on Debian or Ubuntu`);
  const root = await host.root();
  if (!root) return cannot(`${before.reason}; setting it up needs root or passwordless sudo`);
  try {
    for (const { pkg, file } of PACKAGES) if (!existsSync(file)) await aptInstall(LABEL, pkg, root);
    if (!existsSync(`${host.binfmtDir}/status`)) {
      progress(LABEL, `mounting binfmt_misc at ${host.binfmtDir}`);
      await $({ quiet: true })`${root} mount -t binfmt_misc binfmt_misc ${host.binfmtDir}`;
    }
    progress(LABEL, 'update-binfmts --enable qemu-aarch64');
    await $({ quiet: true })`${root} update-binfmts --enable qemu-aarch64`;
  } catch (err) {
    const output = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    return cannot(`${before.reason}; setting it up failed: ${output.split('\n').filter(Boolean).pop()}`);
  }
  const after = await aarch64Handler(host.binfmtDir);
  if (!after.ok) return cannot(after.reason);
  ok(LABEL, `binfmt_misc handler ${after.name} (flags ${after.flags}) enabled: ${after.interpreter}`);
}
