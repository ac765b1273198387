import { chmod, link, mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { extract } from 'tar-stream';
import { readAr } from './ar-archive';

/** The data.tar of a .deb, decompressed: bookworm uses xz; gz and plain tar are read too. */
export async function debDataTar(deb: Buffer, where: string): Promise<Buffer> {
  const members = readAr(deb, where);
  if (members[0]?.name !== 'debian-binary' || !members[0].data.toString('latin1').startsWith('2.')) {
    throw new Error(`${where} does not start with a debian-binary member of format 2.x: it is not a .deb`);
  }
  const data = members.find((m) => m.name.startsWith('data.tar'));
  if (!data) throw new Error(`${where} has no data.tar member (members: ${members.map((m) => m.name).join(', ')}): it is not a .deb`);
  try {
    if (data.name === 'data.tar.xz') return await xz.decompress(data.data);
    if (data.name === 'data.tar.gz') return gunzipSync(data.data);
    if (data.name === 'data.tar') return data.data;
  } catch (err) {
    throw new Error(`${where}: ${data.name} cannot be decompressed (${(err as Error).message}): the .deb is damaged; delete it from the package cache`);
  }
  throw new Error(`${where} holds ${data.name}, a compression microbox does not read (xz, gz or none): pin a build of the package that uses xz`);
}

/** The member's path inside root, refusing any that would land outside it. */
function inside(root: string, name: string, where: string): string {
  if (name.split('/').includes('..')) throw new Error(`${where} holds ${name}, a path outside the package root: refusing to unpack it`);
  return join(root, posix.normalize(`/${name}`)).replace(/(.)\/+$/, '$1');
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`);
}

/** The real path of the deepest part of path that exists. */
async function existingPart(path: string): Promise<string> {
  for (let part = path; ; part = dirname(part)) {
    try {
      return await realpath(part);
    } catch {
      if (dirname(part) === part) throw new Error(`no part of ${path} exists`);
    }
  }
}

/**
 * Makes the folder a member goes into, after checking that it resolves inside
 * root before and after: no symlink of a package may carry a write elsewhere.
 */
async function makeParent(root: string, host: string, name: string, where: string): Promise<void> {
  const refuse = () => new Error(`${where} writes ${name} through a symlink leading outside the package root: refusing to unpack it`);
  if (!isInside(root, await existingPart(dirname(host)))) throw refuse();
  await mkdir(dirname(host), { recursive: true });
  if (!isInside(root, await realpath(dirname(host)))) throw refuse();
}

/**
 * Unpacks a .deb's files into root the way `dpkg-deb -x` does: regular files
 * and folders with their modes, symlinks as they are, hard links as links.
 * Owners are not kept: the image's parts set their own.
 */
export async function unpackDeb(deb: Buffer, root: string, where: string): Promise<number> {
  const tar = await debDataTar(deb, where);
  const realRoot = await realpath(root);
  const folders: { host: string; mode: number }[] = [];
  let count = 0;
  const entries = extract();
  entries.end(tar);
  for await (const entry of entries) {
    const { name, type, mode = 0o644, linkname } = entry.header;
    const host = inside(realRoot, name, where);
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (host === realRoot) continue;
    await makeParent(realRoot, host, name, where);
    if (type === 'directory') {
      await mkdir(host, { recursive: true });
      folders.push({ host, mode: mode & 0o7777 });
      continue;
    }
    await rm(host, { force: true });
    if (type === 'file') {
      await writeFile(host, Buffer.concat(chunks));
      await chmod(host, mode & 0o7777);
    } else if (type === 'symlink') {
      await symlink(linkname!, host);
    } else if (type === 'link') {
      const target = inside(realRoot, linkname!, where);
      if (!isInside(realRoot, await existingPart(target))) throw new Error(`${where} links ${name} to ${linkname}, outside the package root: refusing to unpack it`);
      await link(target, host);
    } else {
      throw new Error(`${where} holds ${name} of tar type ${type}, which a package of the base should not ship: check the lock entry`);
    }
    count++;
  }
  // Modes last, deepest first: a read-only folder would refuse the files put in it.
  for (const { host, mode } of folders.reverse()) await chmod(host, mode);
  return count;
}
