import { imageExists, tagImage } from './build';
import type { Engine } from './engine';
import { type BuildRecord, readRecord, writeRecord } from './record';

/**
 * The image the record names, tagged again and recorded under `tags`, when it
 * was built from the same inputs and the daemon still holds it; undefined when
 * it must be built. A record alone never stands for an image that is gone.
 */
export async function reuseUnchanged(engine: Engine, recordFile: string, inputsHash: string, tags: string[]): Promise<BuildRecord | undefined> {
  const previous = await readRecord(recordFile);
  if (previous?.inputsHash !== inputsHash || !(await imageExists(engine, previous.id))) return undefined;
  await tagImage(engine, previous.id, tags);
  const record = { ...previous, tags };
  await writeRecord(recordFile, record);
  return record;
}
