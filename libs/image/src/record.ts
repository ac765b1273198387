import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One named part of an image (a layer, or a group of files) and its size. */
export interface PartSize {
  name: string;
  bytes: number;
  gzipBytes?: number;
}

/**
 * What a build leaves behind for the next step and for Nx: which image was
 * made, under which names, from which inputs, and how big it is.
 */
export interface BuildRecord {
  /** The image id (sha256:...). */
  id: string;
  tags: string[];
  /** The sha256 of everything the build read; the same hash means the same image. */
  inputsHash: string;
  /** Uncompressed size, as the daemon reports it. */
  size: number;
  /** Sum of the gzipped layers. */
  gzipSize: number;
  parts: PartSize[];
  /** Free-form facts about how it was made (flavour, pinned versions). */
  meta: Record<string, string>;
}

/** Writes the record atomically, so a reader never sees half of one. */
export async function writeRecord(path: string, record: BuildRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await writeFile(partial, JSON.stringify(record, null, 2) + '\n');
  await rename(partial, path);
}

/** The record at path, or undefined when there is none or it is not a record (then it is simply rebuilt). */
export async function readRecord(path: string): Promise<BuildRecord | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<BuildRecord>;
    if (typeof value.id !== 'string' || typeof value.inputsHash !== 'string' || !Array.isArray(value.tags)) return undefined;
    return value as BuildRecord;
  } catch {
    return undefined;
  }
}

export function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
