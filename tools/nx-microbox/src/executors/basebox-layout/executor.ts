import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { buildBasebox, formatBreakdown } from '../../../../../libs/basebox/src/build';
import { BASEBOX_ARCHITECTURES, type BaseboxArchitecture } from '../../../../../libs/basebox/src/platforms';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { writeRecord } from '../../../../../libs/image/src/record';
import { writeBaseboxSboms } from '../../../../../libs/sbom/src/image-sbom';
import { consulTemplateFor } from '../../../../../libs/toolchain/src/recipes';
import { locateTool } from '../../../../../libs/toolchain/src/tools';

export interface BaseboxLayoutOptions {
  layout: string;
  record: string;
  lockFile: string;
  /** Static consul-template builds to use instead of the bootstrap's, per architecture. */
  consulTemplate?: Partial<Record<BaseboxArchitecture, string>>;
  tags?: string[];
}

/**
 * `nx run basebox:layout`: writes the base image (linux/amd64 and
 * linux/arm64/v8, an index over both) as an OCI layout and its record,
 * without a daemon. Cached by Nx: the image is a pure function of the lock,
 * the library and each architecture's consul-template, which are its inputs.
 */
export default async function baseboxLayoutExecutor(options: BaseboxLayoutOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const fromRoot = (path: string) => (isAbsolute(path) ? path : join(context.root, path));
  try {
    const binaries = {} as Record<BaseboxArchitecture, string>;
    for (const arch of BASEBOX_ARCHITECTURES) {
      const given = options.consulTemplate?.[arch];
      binaries[arch] = given ? fromRoot(given) : (await locateTool(consulTemplateFor(arch))).path;
    }
    const record = await buildBasebox({
      consulTemplate: binaries,
      lockFile: fromRoot(options.lockFile),
      store: BlobStore.forEnv(),
      layoutDir: fromRoot(options.layout),
      layoutName: options.layout,
      tags: options.tags,
    });
    const sbom = await writeBaseboxSboms({ record, layoutDir: fromRoot(options.layout), recordFile: fromRoot(options.record), lockFile: fromRoot(options.lockFile), consulTemplate: binaries });
    await writeRecord(fromRoot(options.record), record);
    console.log(`basebox: SBOMs ${sbom.files.map((f) => f.slice(context.root.length + 1)).join(', ')}, ${sbom.components} components, made in ${sbom.seconds.toFixed(2)}s`);
    for (const line of formatBreakdown(record)) console.log(line);
    return { success: true };
  } catch (err) {
    console.error(`basebox:layout: ${(err as Error).message}`);
    return { success: false };
  }
}
