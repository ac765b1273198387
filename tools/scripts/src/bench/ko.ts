import { join } from 'node:path';
import { findGo } from '../../../../libs/gobuild/src/find-go';
import { inspectCachedTool, installTool } from '../../../../libs/toolchain/src/tool-cache';
import { run } from './run';

const MODULE = 'github.com/google/ko';

/**
 * ko in the tool cache (~/.cache/microbox/tools/ko/<version>/bin/ko),
 * `go install`ed from the Go module proxy at its latest version the first
 * time. Resolves with its path, or rejects with go's own error.
 */
export async function installKo(log: (line: string) => void): Promise<{ path: string; version: string }> {
  const go = findGo();
  const listed = await run(go.path, ['list', '-m', '-json', `${MODULE}@latest`], { cwd: '/' });
  const version = (JSON.parse(listed) as { Version: string }).Version;
  const tool = { name: 'ko', version };
  const cached = await inspectCachedTool(tool);
  if (cached.state === 'ready') return { path: cached.path, version };
  log(`installing ko ${version}: go install ${MODULE}@${version} (a minute or more the first time)`);
  await installTool(
    tool,
    async (_work, bin) => {
      await run(go.path, ['install', `${MODULE}@${version}`], { cwd: '/', env: { ...process.env, GOBIN: join(bin, '..'), CGO_ENABLED: '0' } });
    },
    async (bin) => {
      await run(bin, ['version'], { cwd: '/' });
    },
  );
  const ready = await inspectCachedTool(tool);
  if (ready.state !== 'ready') throw new Error(`ko ${version} is not whole after its install: ${ready.reason}`);
  return { path: ready.path, version };
}

export interface KoTarget {
  ko: string;
  workspace: string;
  /** The service's package, `./apps/<svc>`. */
  pkg: string;
  /** Our basebox, in the bench's registry. */
  baseImage: string;
}

/**
 * ko's environment: our base, plain HTTP to the loopback registry, no SBOM
 * (microbox writes none, so both build the same image parts).
 */
function koRun(t: KoTarget, extra: string[], repo: string): Promise<string> {
  return run(t.ko, ['build', '--insecure-registry', '--sbom=none', '--bare', '--tags=latest', ...extra, t.pkg], {
    cwd: t.workspace,
    env: { ...process.env, KO_DEFAULTBASEIMAGE: t.baseImage, KO_DOCKER_REPO: repo, CGO_ENABLED: '0' },
  });
}

/** `ko build --local`: the image into the Docker daemon, as ko.local/<name>. */
export const koLocal = (t: KoTarget, name: string) => koRun(t, ['--local'], `ko.local/${name}`);

/** `ko build` to a registry repository. */
export const koPush = (t: KoTarget, repo: string) => koRun(t, [], repo);
