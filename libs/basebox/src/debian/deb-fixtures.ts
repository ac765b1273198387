import { gzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { pack, type Header } from 'tar-stream';

/** Small .debs built in memory, for the specs: the real archive is only used by the e2e tests. */

/** An ar archive as dpkg-deb writes one: 60-byte headers, members padded to an even length. */
export function writeAr(members: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const { name, data } of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export type TarEntry = Partial<Header> & Pick<Header, 'name'> & { content?: string };

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const tar = pack();
  for (const { content, ...header } of entries) tar.entry(header, content ?? '');
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A .deb like Debian's: debian-binary, control.tar.xz, then the data member (data.tar.xz unless named). */
export async function debOf(entries: TarEntry[], dataName = 'data.tar.xz'): Promise<Buffer> {
  const tar = await tarOf(entries);
  const data = dataName === 'data.tar.xz' ? await xz.compress(tar) : dataName === 'data.tar.gz' ? gzipSync(tar) : tar;
  const control = await xz.compress(await tarOf([{ name: './control', content: 'Package: demo\n' }]));
  return writeAr([
    { name: 'debian-binary', data: Buffer.from('2.0\n') },
    { name: 'control.tar.xz', data: control },
    { name: dataName, data },
  ]);
}
