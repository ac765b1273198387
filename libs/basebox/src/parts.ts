import type { ContextEntry } from '../../image/src/context';
import type { TreeFile } from './s6-tree';

/**
 * A part of the image: one folder of the build context, copied by one COPY
 * step, so each part is its own layer and its size shows on its own.
 */
export interface Part {
  name: string;
  /** Entries with their absolute path in the image. */
  entries: ContextEntry[];
}

export function treeEntries(files: readonly TreeFile[]): ContextEntry[] {
  return files.map((f) => ({ type: 'file', path: f.path, content: f.content, mode: f.mode }));
}

/** The build context: the Dockerfile, and each part under a folder of its name. */
export function contextEntries(dockerfile: string, parts: readonly Part[]): ContextEntry[] {
  return [
    { type: 'file', path: 'Dockerfile', content: dockerfile },
    ...parts.flatMap((part) => part.entries.map((e) => ({ ...e, path: `${part.name}/${e.path.replace(/^\/+/, '')}` }))),
  ];
}

/** One COPY per part, in order: the layers of the image, bottom first. */
export function copySteps(parts: readonly { name: string }[]): string {
  return parts.map((p) => `COPY ${p.name}/ /`).join('\n');
}
