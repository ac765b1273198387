import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { buildBasebox, formatBreakdown } from '../../../../../libs/basebox/src/build';
import { consulTemplate } from '../../../../scripts/src/toolchain/recipes';
import { locateTool } from '../../../../scripts/src/toolchain/tools';

export interface BaseboxImageOptions {
  flavour?: string;
  record?: string;
  lockFile?: string;
  consulTemplate?: string;
  tags?: string[];
}

/**
 * `nx run basebox:image`. The target is not cacheable on purpose: an Nx cache
 * hit restores the record without running anything, and would claim an image
 * the daemon may have lost (pruned, another machine, a fresh CI engine). So
 * this runs every time, and the library skips the build itself when the
 * record's inputs hash matches and the daemon still holds that image (about
 * a second), and builds again when it does not.
 */
export default async function baseboxImageExecutor(options: BaseboxImageOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const fromRoot = (path: string) => (isAbsolute(path) ? path : join(context.root, path));
  try {
    const binary = options.consulTemplate ? fromRoot(options.consulTemplate) : (await locateTool(consulTemplate)).path;
    const { record } = await buildBasebox({
      flavour: options.flavour ?? 'debian',
      consulTemplate: binary,
      lockFile: fromRoot(options.lockFile ?? 'libs/basebox/debian.lock.json'),
      recordFile: fromRoot(options.record ?? 'dist/images/basebox.json'),
      tags: options.tags,
    });
    for (const line of formatBreakdown(record)) console.log(line);
    return { success: true };
  } catch (err) {
    console.error(`basebox:image: ${(err as Error).message}`);
    return { success: false };
  }
}
