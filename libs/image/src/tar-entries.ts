import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';

export interface TarEntry {
  /** The entry's path, with a leading "/" and no trailing one. */
  path: string;
  type: string;
  size: number;
  /** The content, for files up to `maxContentBytes`. */
  content?: Buffer;
}

/** Every entry of a tar stream (a `docker export`, a `getArchive`), reading contents up to a size. */
export async function tarEntries(stream: NodeJS.ReadableStream | Readable, maxContentBytes = 1_000_000): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  tar.on('entry', (header, body, next) => {
    const size = header.size ?? 0;
    const chunks: Buffer[] = [];
    body.on('data', (d: unknown) => {
      if (size <= maxContentBytes) chunks.push(d as Buffer);
    });
    body.on('end', () => {
      entries.push({ path: `/${header.name.replace(/^\.?\//, '').replace(/\/$/, '')}`, type: header.type ?? 'file', size, content: size <= maxContentBytes ? Buffer.concat(chunks) : undefined });
      next();
    });
    body.resume();
  });
  stream.pipe(tar);
  await done;
  return entries;
}
