import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { buildBasebox, formatBreakdown } from '../../../../../libs/basebox/src/build';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { writeRecord } from '../../../../../libs/image/src/record';
import { sbomFileOf, writeBaseboxSboms } from '../../../../../libs/sbom/src/image-sbom';
import { consulTemplate } from '../../../../../libs/toolchain/src/recipes';
import { locateTool } from '../../../../../libs/toolchain/src/tools';

export interface BaseboxLayoutOptions {
  layout: string;
  record: string;
  lockFile: string;
  consulTemplate?: string;
  tags?: string[];
}

/**
 * `nx run basebox:layout`: writes the base image as an OCI layout and its
 * record, without a daemon. Cached by Nx: the image is a pure function of
 * the lock, the library and consul-template, which are its inputs.
 */
export default async function baseboxLayoutExecutor(options: BaseboxLayoutOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const fromRoot = (path: string) => (isAbsolute(path) ? path : join(context.root, path));
  try {
    const binary = options.consulTemplate ? fromRoot(options.consulTemplate) : (await locateTool(consulTemplate)).path;
    const record = await buildBasebox({
      consulTemplate: binary,
      lockFile: fromRoot(options.lockFile),
      store: BlobStore.forEnv(),
      layoutDir: fromRoot(options.layout),
      layoutName: options.layout,
      tags: options.tags,
    });
    const sbom = await writeBaseboxSboms({ record, layoutDir: fromRoot(options.layout), file: fromRoot(sbomFileOf(options.record)), lockFile: fromRoot(options.lockFile), consulTemplate: binary });
    await writeRecord(fromRoot(options.record), record);
    console.log(`basebox: SBOM ${sbomFileOf(options.record)}, ${sbom.components} components, made in ${sbom.seconds.toFixed(2)}s`);
    for (const line of formatBreakdown(record)) console.log(line);
    return { success: true };
  } catch (err) {
    console.error(`basebox:layout: ${(err as Error).message}`);
    return { success: false };
  }
}
