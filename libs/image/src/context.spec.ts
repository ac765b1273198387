import { describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { CONTEXT_MTIME, type ContextEntry, contentBytes, normaliseEntries, packContext } from './context';

interface Header {
  name: string;
  type?: string | null;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string | null;
}

async function headers(tar: Buffer): Promise<Header[]> {
  const seen: Header[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    seen.push(header);
    stream.on('end', next);
    stream.resume();
  });
  const done = new Promise<void>((resolve) => ex.on('finish', () => resolve()));
  ex.end(tar);
  await done;
  return seen;
}

const entries: ContextEntry[] = [
  { type: 'file', path: 'rootfs/etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' },
  { type: 'symlink', path: 'rootfs/bin/sh', target: '/bin/busybox' },
  { type: 'file', path: 'Dockerfile', content: 'FROM scratch\n' },
  { type: 'directory', path: 'rootfs/tmp', mode: 0o1777 },
  { type: 'file', path: 'rootfs/bin/busybox', content: Buffer.from([1, 2, 3]), mode: 0o755, uid: 10001, gid: 10001 },
];

describe('packContext', () => {
  it('gives the same bytes whatever the order of the entries', async () => {
    const a = await packContext(entries);
    const b = await packContext([...entries].reverse());
    expect(b.sha256).toBe(a.sha256);
    expect(b.tar.equals(a.tar)).toBe(true);
  });

  it('writes sorted entries, parents first, with a fixed mtime and root ownership unless stated', async () => {
    const list = await headers((await packContext(entries)).tar);
    expect(list.map((h) => h.name)).toEqual([
      'Dockerfile',
      'rootfs',
      'rootfs/bin',
      'rootfs/bin/busybox',
      'rootfs/bin/sh',
      'rootfs/etc',
      'rootfs/etc/passwd',
      'rootfs/tmp',
    ]);
    for (const h of list) expect(h.mtime?.getTime()).toBe(CONTEXT_MTIME.getTime());
    const byName = Object.fromEntries(list.map((h) => [h.name, h]));
    expect(byName['rootfs/etc/passwd']).toMatchObject({ uid: 0, gid: 0, mode: 0o644 });
    expect(byName['rootfs/bin/busybox']).toMatchObject({ uid: 10001, gid: 10001, mode: 0o755 });
    expect(byName['rootfs/tmp']).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(byName['rootfs/bin/sh']).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
  });

  it('changes its hash when one byte of content changes', async () => {
    const changed = entries.map((e) => (e.path === 'Dockerfile' ? { ...e, content: 'FROM scratch \n' } : e));
    expect((await packContext(changed)).sha256).not.toBe((await packContext(entries)).sha256);
  });
});

describe('normaliseEntries', () => {
  it('refuses paths that climb out or are given twice, naming them', () => {
    expect(() => normaliseEntries([{ type: 'file', path: '../etc/passwd', content: '' }])).toThrow('context path "../etc/passwd" is not a plain relative path');
    expect(() =>
      normaliseEntries([
        { type: 'file', path: 'a/b', content: '' },
        { type: 'symlink', path: '/a/b', target: 'c' },
      ]),
    ).toThrow('context path "a/b" is given twice');
    expect(() =>
      normaliseEntries([
        { type: 'file', path: 'a', content: '' },
        { type: 'file', path: 'a/b', content: '' },
      ]),
    ).toThrow('context path "a" is a file but "a/b" is inside it');
  });

  it('counts only file content as bytes', () => {
    expect(contentBytes(entries)).toBe(Buffer.byteLength('root:x:0:0::/:/bin/sh\n') + 'FROM scratch\n'.length + 3);
  });
});
