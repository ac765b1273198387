import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { GoBuildRecord } from '../../../../../libs/gobuild/src/build';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { completeLayout } from '../../../../../libs/image/src/layout-record';
import { type BuildRecord, formatMB, normalisePlatform, platformImages, readRecord, writeRecord } from '../../../../../libs/image/src/record';
import { buildServiceImage, servicePlatformRecords } from '../../../../../libs/service-image/src/build';
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
 * The image's first platform is the base's (linux/amd64): go-build's primary
 * binary (goos/goarch) must be for it, or the image would be labelled wrong
 * and fail with "exec format error". Every other binary the image takes
 * (one per platform the base has) is read too, whatever the record says.
 * Refused before anything is written, with the ways out. Returns the
 * binaries by platform.
 */
function checkPlatforms(name: string, built: GoBuildRecord, base: BuildRecord, fromRoot: (p: string) => string): Record<string, string> {
  const platform = built.binaries?.find((b) => b.path === built.primary)?.platform ?? built.binaries?.[0]?.platform ?? 'linux/amd64';
  const [os, arch] = platform.split('/') as [string, string];
  const basePlatforms = platformImages(base).map((p) => p.platform);
  const baseArch = base.manifest.platform?.architecture ?? 'amd64';
  if (os !== 'linux' || arch !== baseArch) {
    const which = basePlatforms.length > 1 ? `linux/${baseArch} first (${basePlatforms.join(', ')})` : `linux/${baseArch} only`;
    throw new Error(
      `${name} is built for ${platform} (go-build's goos/goarch) but its base ${base.tags[0] ?? base.manifest.digest} is ${which}: set goos linux and goarch ${baseArch} for the image (other platforms go in go-build's platforms)`,
    );
  }
  const binaries: Record<string, string> = { [platform]: fromRoot(built.primary) };
  for (const b of built.binaries ?? []) if (b.platform !== platform) binaries[b.platform] = fromRoot(b.path);
  const taken = new Set(basePlatforms.map(normalisePlatform));
  for (const [p, path] of Object.entries(binaries)) {
    if (!taken.has(normalisePlatform(p))) continue;
    const shown = p === platform ? built.primary : built.binaries.find((b) => b.platform === p)!.path;
    if (!existsSync(path)) throw new Error(`the ${p} binary of ${name} is missing at ${shown}: run \`nx run ${name}:go-build --skip-nx-cache\``);
    const problem = linuxBinaryProblem(path, p.split('/')[1]!);
    if (problem) throw new Error(`the binary of ${name} at ${shown} cannot run in a ${p} image: ${problem}; run \`nx run ${name}:go-build --skip-nx-cache\``);
  }
  return binaries;
}

/** SBOMs of platforms an earlier build had and this one has not: they would describe an image the record no longer names. */
async function removeStaleSboms(recordFile: string, written: string[]): Promise<void> {
  const stem = basename(recordFile).replace(/\.json$/, '');
  const stale = readdirSync(dirname(recordFile)).filter((f) => f.startsWith(`${stem}.linux-`) && f.endsWith('.cdx.json'));
  for (const f of stale.map((f) => join(dirname(recordFile), f)).filter((f) => !written.includes(f))) await rm(f, { force: true });
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
    const binaries = checkPlatforms(name, built, base, fromRoot);
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
        binaries,
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
      // One SBOM per platform, each inheriting from the base's image of that platform and naming its binary.
      const sboms = [];
      for (const [i, { platform, record: one }] of servicePlatformRecords(record).entries()) {
        const file = i === 0 ? sbomFileOf(recordFile) : sbomFileOf(recordFile, platform);
        const binary = Object.entries(binaries).find(([p]) => normalisePlatform(p) === normalisePlatform(platform))![1];
        sboms.push({ ...(await writeServiceSbom({ record: one, layoutDir: fromRoot(layout), file: fromRoot(file), name, binary, version: built.version, baseLayoutDir: fromRoot(base.layout) })), file });
      }
      await removeStaleSboms(fromRoot(recordFile), sboms.map((s) => fromRoot(s.file)));
      await writeRecord(fromRoot(recordFile), record);
      for (const sbom of sboms) console.log(`${name}: SBOM ${sbom.file}, ${sbom.components} components, made in ${sbom.seconds.toFixed(2)}s`);
      for (const { platform, image } of platformImages(record)) {
        console.log(`  ${platform}`);
        for (const part of image.parts) console.log(`    ${part.name.padEnd(24)} ${formatMB(part.bytes).padStart(10)}  gzipped ${formatMB(part.gzipBytes ?? 0)}`);
      }
    });
    return { success: true };
  } catch (err) {
    console.error(`${name}:layout: ${(err as Error).message}`);
    return { success: false };
  }
}
