import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoToolchain } from '../../gobuild/src/find-go';
import { runGo } from './go-build-tool';
import { goTargetEnv, type GoTarget } from './go-target';

/** Static and reproducible: no paths of this machine, no symbol tables. */
export const STATIC_FLAGS = ['-trimpath', '-ldflags=-s -w'];

/**
 * `go install pkg@version` for `target`, whatever the host, moving the binary
 * to binPath. `label` names the tool in progress lines.
 */
export async function goInstallFor(go: GoToolchain, label: string, target: GoTarget, pkg: string, workDir: string, binPath: string): Promise<void> {
  const modCache = (await runGo(go, label, { label: 'go env GOMODCACHE', args: ['env', 'GOMODCACHE'], cwd: workDir })).trim();
  const gopath = join(workDir, 'gopath');
  await runGo(go, label, {
    label: `go install ${pkg} (${target.goos}/${target.goarch})`,
    args: ['install', '-v', ...STATIC_FLAGS, pkg],
    cwd: workDir,
    env: goTargetEnv(target, gopath, modCache),
  });
  // go writes bin/<goos>_<goarch>/ when the target is not the host's own platform, bin/ when it is.
  const name = pkg.replace(/@.*$/, '').split('/').pop()!;
  const built = [join(gopath, 'bin', `${target.goos}_${target.goarch}`, name), join(gopath, 'bin', name)].find((p) => existsSync(p));
  if (!built) throw new Error(`go install left no ${name} in ${join(gopath, 'bin')} (expected ${binPath})`);
  await rename(built, binPath);
  await rm(gopath, { recursive: true });
}
