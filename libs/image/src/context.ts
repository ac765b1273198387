import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/**
 * One entry of a build context. Ownership defaults to root and every entry
 * gets the same mtime, so the same entries always give the same tar bytes
 * (and so the same layer content and Docker build cache keys).
 */
export type ContextEntry =
  | { type: 'file'; path: string; content: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { type: 'directory'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number };

/** 2000-01-01T00:00:00Z: a fixed time; the epoch itself is read by some tools as "unset". */
export const CONTEXT_MTIME = new Date(Date.UTC(2000, 0, 1));

function normalise(path: string): string {
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!clean || clean.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`context path "${path}" is not a plain relative path: use "dir/name" without "." or ".."`);
  }
  return clean;
}

/** Entries sorted by path, each path once; parents that are not listed are added as 0755 directories. */
export function normaliseEntries(entries: readonly ContextEntry[]): ContextEntry[] {
  const byPath = new Map<string, ContextEntry>();
  for (const entry of entries) {
    const path = normalise(entry.path);
    const seen = byPath.get(path);
    if (seen && !(seen.type === 'directory' && entry.type === 'directory')) {
      throw new Error(`context path "${path}" is given twice: each file may come from one place only`);
    }
    byPath.set(path, { ...entry, path });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const seen = byPath.get(parent);
      if (!seen) byPath.set(parent, { type: 'directory', path: parent });
      else if (seen.type !== 'directory') {
        throw new Error(`context path "${parent}" is a ${seen.type} but "${path}" is inside it`);
      }
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The build context as a tar stream, deterministic: sorted, fixed mtime, root-owned unless stated. */
export function contextTar(entries: readonly ContextEntry[]): Readable {
  const tar = pack();
  const sorted = normaliseEntries(entries);
  void (async () => {
    try {
      for (const entry of sorted) {
        const common = { name: entry.path, mtime: CONTEXT_MTIME, uid: entry.uid ?? 0, gid: entry.gid ?? 0, uname: '', gname: '' };
        await new Promise<void>((resolve, reject) => {
          const done = (err?: Error | null) => (err ? reject(err) : resolve());
          if (entry.type === 'file') tar.entry({ ...common, type: 'file', mode: entry.mode ?? 0o644 }, entry.content, done);
          else if (entry.type === 'directory') tar.entry({ ...common, type: 'directory', mode: entry.mode ?? 0o755 }, done);
          else tar.entry({ ...common, type: 'symlink', mode: 0o777, linkname: entry.target }, done);
        });
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  return tar as unknown as Readable;
}

/** The whole context tar in memory, with its sha256: what decides whether a build is needed. */
export async function packContext(entries: readonly ContextEntry[]): Promise<{ tar: Buffer; sha256: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of contextTar(entries)) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  return { tar, sha256: createHash('sha256').update(tar).digest('hex') };
}

/** Bytes of file content in these entries (symlinks and directories count as nothing). */
export function contentBytes(entries: readonly ContextEntry[]): number {
  return entries.reduce((sum, e) => sum + (e.type === 'file' ? Buffer.byteLength(e.content) : 0), 0);
}
