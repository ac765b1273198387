import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { loadIntoDaemon } from '../../../../../libs/image/src/daemon';
import { connectEngine } from '../../../../../libs/image/src/engine';
import { readImage } from '../../../../../libs/image/src/image';
import { completeLayout } from '../../../../../libs/image/src/layout-record';
import { readRecord, recordForPlatform, recordOf } from '../../../../../libs/image/src/record';
import { withBuildLock } from '../build-lock';

export interface LoadOptions {
  /** The image's build record; default dist/images/<project>.json. */
  record?: string;
  /** false: leave the daemon alone (the layout is still made whole). */
  load: boolean;
}

/**
 * `nx run <project>:image`: the layout its `layout` target wrote, made whole
 * (a service's layout leaves the base's blobs to the base's), then loaded into
 * the Docker daemon under the record's tags, with the variants it records
 * under theirs; of a multi-platform image, the daemon's own platform. Loads nothing when the daemon already holds that image id,
 * so it costs about a connection when nothing changed. Never cached by Nx: the daemon is outside the workspace.
 */
export default async function loadExecutor(options: LoadOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  // The layout executor holds the same lock while it writes the layout and the record: the tags move to the image the record names, whole.
  const lock = join(context.root, `${(options.record ?? `dist/images/${context.projectName}.json`).replace(/\.json$/, '')}.lock`);
  try {
    return await withBuildLock(lock, context.projectName!, () => load(options, context));
  } catch (err) {
    console.error(`${context.projectName}:image: ${(err as Error).message}`);
    return { success: false };
  }
}

async function load(options: LoadOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const name = context.projectName!;
  const recordFile = options.record ?? `dist/images/${name}.json`;
  const fromRoot = (p: string) => join(context.root, p);
  try {
    const record = await readRecord(fromRoot(recordFile));
    if (!record) throw new Error(`no build record at ${recordFile}: run \`nx run ${name}:layout\` first`);
    const store = BlobStore.forEnv();
    const sources = record.meta.baseLayout ? [fromRoot(record.meta.baseLayout)] : [];
    await completeLayout(fromRoot(record.layout), store, record, sources);
    if (!options.load) {
      console.log(`${name}: ${record.manifest.digest} in ${record.layout} (not loaded: --load=false)`);
      return { success: true };
    }
    const engine = await connectEngine();
    // The image, then its variants (the basebox's slim): each under its own tags, of the daemon's own platform.
    // The base, and the image itself, tell the daemon which layers it need not be sent.
    const related = [...(record.meta.base ? [record.meta.base] : []), ...record.tags];
    for (const variant of [undefined, ...Object.keys(record.variants ?? {})]) {
      const image = recordForPlatform(recordOf(record, variant), engine.platform);
      const { loaded } = await loadIntoDaemon(engine, store, await readImage(store, image.manifest), image.tags, (line) => console.log(`  ${line}`), related);
      console.log(`${name}: ${image.id.slice(0, 19)} ${loaded ? 'loaded into' : 'already in'} the daemon at ${engine.endpoint}, its ${engine.platform} image; tagged ${image.tags.join(', ')}`);
    }
    return { success: true };
  } catch (err) {
    console.error(`${name}:image: ${(err as Error).message}`);
    return { success: false };
  }
}
