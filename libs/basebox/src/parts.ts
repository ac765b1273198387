import type { ImageEntry } from '../../image/src/entries';
import type { TreeFile } from './s6-tree';

/** A part of the image: one layer, so each part's size shows on its own. */
export interface Part {
  name: string;
  /** Entries with their absolute path in the image. */
  entries: ImageEntry[];
}

export function treeEntries(files: readonly TreeFile[]): ImageEntry[] {
  return files.map((f) => ({ type: 'file', path: f.path, content: f.content, mode: f.mode }));
}

/** One COPY per part, in order: the layers of the image, bottom first, as the reference Dockerfile says them. */
export function copySteps(parts: readonly { name: string }[]): string {
  return parts.map((p) => `COPY ${p.name}/ /`).join('\n');
}
