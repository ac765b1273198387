/**
 * One file of a layer. Ownership defaults to root (0:0), modes to 0644 for
 * files and 0755 for directories, so a list of entries says everything the
 * layer's tar will hold.
 */
export type ImageEntry =
  | { type: 'file'; path: string; content: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { type: 'directory'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number }
  /** `target` is the path of a file entry of the same layer; owner and mode are that file's (one inode). */
  | { type: 'hardlink'; path: string; target: string; uid?: number; gid?: number };

function normalise(path: string): string {
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!clean || clean.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`image path "${path}" is not a plain relative path: use "dir/name" without "." or ".."`);
  }
  return clean;
}

/**
 * Entries sorted by path, each path once; parents that are not listed are
 * added as 0755 directories. A hardlink's target is normalised too and must be
 * a file entry (a link to a link is resolved to that file).
 */
export function normaliseEntries(entries: readonly ImageEntry[]): ImageEntry[] {
  const byPath = new Map<string, ImageEntry>();
  for (const entry of entries) {
    const path = normalise(entry.path);
    const seen = byPath.get(path);
    if (seen && !(seen.type === 'directory' && entry.type === 'directory')) {
      throw new Error(`image path "${path}" is given twice: each file may come from one place only`);
    }
    byPath.set(path, entry.type === 'hardlink' ? { ...entry, path, target: normalise(entry.target) } : { ...entry, path });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const seen = byPath.get(parent);
      if (!seen) byPath.set(parent, { type: 'directory', path: parent });
      else if (seen.type !== 'directory') {
        throw new Error(`image path "${parent}" is a ${seen.type} but "${path}" is inside it`);
      }
    }
  }
  for (const [path, entry] of byPath) {
    if (entry.type === 'hardlink') byPath.set(path, { ...entry, target: linkedFile(byPath, entry) });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function linkedFile(byPath: Map<string, ImageEntry>, link: ImageEntry & { type: 'hardlink' }): string {
  const seen = new Set<string>([link.path]);
  let target = link.target;
  for (;;) {
    const entry = byPath.get(target);
    if (entry?.type === 'file') return target;
    if (entry?.type !== 'hardlink' || seen.has(target)) {
      throw new Error(`hardlink "${link.path}" points at "${link.target}", which is not a file of this layer: link to a file entry`);
    }
    seen.add(target);
    target = entry.target;
  }
}
