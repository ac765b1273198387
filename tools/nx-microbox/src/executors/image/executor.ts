import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { formatMB } from '../../../../../libs/image/src/record';
import { buildServiceImage } from '../../../../../libs/service-image/src/build';
import { resolveServiceSpec, type ServiceImageSettings } from '../../../../../libs/service-image/src/resolve-spec';
import { projectRoot } from '../project-root';

export interface ImageExecutorOptions extends ServiceImageSettings {
  /** go-build's output folder, holding the binary and build.json; default dist/<project root>. */
  buildOutput?: string;
  /** The basebox build record; default dist/images/basebox.json. */
  baseRecord?: string;
  /** This image's build record; default dist/images/<project>.json. */
  record?: string;
  /** The repository URL for org.opencontainers.image.source; default the git remote `origin`. */
  source?: string;
}

/** The repository's `origin` remote, if it has one. */
function gitOrigin(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

interface GoBuildRecord {
  primary: string;
  commit: string;
  commitTime: string;
  version: string;
}

/**
 * `nx run <svc>:image`: a thin adapter over libs/service-image. Not cacheable
 * by Nx, like basebox:image: the library skips the build when the context is
 * unchanged and the daemon still holds the image, and builds it otherwise.
 */
export default async function imageExecutor(options: ImageExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
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
    const dirty = built.version.endsWith('+dirty');
    const { record, reused } = await buildServiceImage({
      spec,
      serviceDir: fromRoot(root),
      baseRecordFile: fromRoot(options.baseRecord ?? 'dist/images/basebox.json'),
      recordFile: fromRoot(options.record ?? `dist/images/${name}.json`),
      origin: { revision: built.commit, created: built.commitTime, source: options.source ?? gitOrigin(context.root) },
      revisionTag: `${built.commit.slice(0, 12)}${dirty ? '-dirty' : ''}`,
    });
    if (!reused) {
      for (const part of record.parts) console.log(`  ${part.name.padEnd(24)} ${formatMB(part.bytes).padStart(10)}  gzipped ${formatMB(part.gzipBytes ?? 0)}`);
    }
    return { success: true };
  } catch (err) {
    console.error(`${name}:image: ${(err as Error).message}`);
    return { success: false };
  }
}
