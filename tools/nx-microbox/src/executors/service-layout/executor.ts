import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { GoBuildRecord } from '../../../../../libs/gobuild/src/build';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { completeLayout } from '../../../../../libs/image/src/layout-record';
import { type BuildRecord, formatMB, readRecord, writeRecord } from '../../../../../libs/image/src/record';
import { buildServiceImage } from '../../../../../libs/service-image/src/build';
import { sbomFileOf, writeServiceSbom } from '../../../../../libs/sbom/src/image-sbom';
import { resolveServiceSpec, type ServiceImageSettings } from '../../../../../libs/service-image/src/resolve-spec';
import { linuxBinaryProblem } from '../../../../../libs/gobuild/src/binary-platform';
import { withBuildLock } from '../build-lock';
import { projectRoot } from '../project-root';
import { imageInputRoots, imageVersion } from './image-version';

export interface ServiceLayoutOptions extends ServiceImageSettings {
  /** go-build's output folder, holding the binary and build.json; default dist/<project root>. */
  buildOutput?: string;
  /** The basebox build record. */
  baseRecord: string;
  /** This image's OCI layout folder; default dist/images/<project>. */
  layout?: string;
  /** This image's build record; default dist/images/<project>.json. */
  record?: string;
  /** The repository URL for org.opencontainers.image.source; default the git remote `origin`. */
  source?: string;
}

/** A repository URL fit for a label: no user or token (CI checkouts often carry one in the remote). */
export function publicSource(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // scp-like `git@host:org/repo.git`: the user is not a secret, but drop it all the same.
    return url.replace(/^[^@/]+@/, '');
  }
}

/**
 * The image takes the base's platform: a binary for another one (go-build's
 * goarch) would be labelled wrong and fail with "exec format error". Refused
 * before anything is written, with the ways out; the binary itself is read
 * too, whatever its record says.
 */
function checkPlatform(name: string, built: GoBuildRecord, base: BuildRecord, binary: string) {
  const platform = built.binaries?.find((b) => b.path === built.primary)?.platform ?? built.binaries?.[0]?.platform ?? 'linux/amd64';
  const [os, arch] = platform.split('/') as [string, string];
  const baseArch = base.manifest.platform?.architecture ?? 'amd64';
  if (os !== 'linux' || arch !== baseArch) {
    throw new Error(
      `${name} is built for ${platform} (go-build's goos/goarch) but its base ${base.tags[0] ?? base.manifest.digest} is linux/${baseArch} only: set goos linux and goarch ${baseArch} for the image (other platforms go in go-build's platforms)`,
    );
  }
  const problem = linuxBinaryProblem(binary, arch);
  if (problem) throw new Error(`the binary of ${name} at ${built.primary} cannot run in a linux/${arch} image: ${problem}; run \`nx run ${name}:go-build --skip-nx-cache\``);
}

/** The repository's `origin` remote, if it has one. */
function gitOrigin(cwd: string): string | undefined {
  try {
    const url = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return url ? publicSource(url) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `nx run <svc>:layout`: the service's image as an OCI layout and its record,
 * without a daemon; a thin adapter over libs/service-image. Cached by Nx:
 * the image is a pure function of the binary, the service folder, its
 * options and the base, which are its inputs.
 */
export default async function serviceLayoutExecutor(options: ServiceLayoutOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const name = context.projectName!;
  const root = projectRoot(context)!;
  const fromRoot = (p: string) => join(context.root, p);
  try {
    const buildOutput = options.buildOutput ?? `dist/${root}`;
    let built: GoBuildRecord;
    try {
      built = JSON.parse(readFileSync(fromRoot(join(buildOutput, 'build.json')), 'utf8')) as GoBuildRecord;
    } catch {
      throw new Error(`no go-build record at ${buildOutput}/build.json: run \`nx run ${name}:go-build\` first`);
    }
    const spec = resolveServiceSpec(name, fromRoot(root), fromRoot(built.primary), options);
    const base = await readRecord(fromRoot(options.baseRecord));
    if (!base) throw new Error(`the base image of ${name} is not built (no record at ${options.baseRecord}): run \`nx run basebox:layout\` first`);
    checkPlatform(name, built, base, fromRoot(built.primary));
    const version = imageVersion(context.root, imageInputRoots(context, root));
    const layout = options.layout ?? `dist/images/${name}`;
    const recordFile = options.record ?? `dist/images/${name}.json`;
    await withBuildLock(fromRoot(`${recordFile.replace(/\.json$/, '')}.lock`), name, async () => {
      const store = BlobStore.forEnv();
      await completeLayout(fromRoot(base.layout), store, base);
      // Outside git there is no commit to name it by: go-build's record says what it knows.
      const unversioned = version.commit === 'unknown';
      const record = await buildServiceImage({
        spec,
        serviceDir: fromRoot(root),
        base,
        store,
        layoutDir: fromRoot(layout),
        layoutName: layout,
        origin: {
          revision: unversioned ? built.commit : version.commit,
          created: unversioned ? built.commitTime : version.commitTime,
          source: options.source ? publicSource(options.source) : gitOrigin(context.root),
        },
        revisionTag: unversioned ? `${built.commit.slice(0, 12)}${built.version.endsWith('+dirty') ? '-dirty' : ''}` : version.tag,
      });
      const sbom = await writeServiceSbom({ record, layoutDir: fromRoot(layout), file: fromRoot(sbomFileOf(recordFile)), name, binary: fromRoot(built.primary), version: built.version, baseLayoutDir: fromRoot(base.layout) });
      await writeRecord(fromRoot(recordFile), record);
      console.log(`${name}: SBOM ${sbomFileOf(recordFile)}, ${sbom.components} components, made in ${sbom.seconds.toFixed(2)}s`);
      for (const part of record.parts) console.log(`  ${part.name.padEnd(24)} ${formatMB(part.bytes).padStart(10)}  gzipped ${formatMB(part.gzipBytes ?? 0)}`);
    });
    return { success: true };
  } catch (err) {
    console.error(`${name}:layout: ${(err as Error).message}`);
    return { success: false };
  }
}
