/** One member of an `ar` archive, the container a .deb is. */
export interface ArMember {
  name: string;
  data: Buffer;
}

const MAGIC = '!<arch>\n';
const HEADER = 60;

/** The members of a (common-format) ar archive, in order; `where` names it in errors. */
export function readAr(archive: Buffer, where: string): ArMember[] {
  if (archive.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error(`${where} is not an ar archive (no !<arch> magic): it is not a .deb`);
  const members: ArMember[] = [];
  let offset = MAGIC.length;
  while (offset < archive.length) {
    if (archive.length - offset < HEADER) throw new Error(`${where} ends inside an ar header at byte ${offset}: the file is truncated`);
    const header = archive.subarray(offset, offset + HEADER).toString('latin1');
    if (header.slice(58, 60) !== '`\n') throw new Error(`${where} has a damaged ar header at byte ${offset}`);
    const name = header.slice(0, 16).trimEnd().replace(/\/$/, '');
    const size = Number(header.slice(48, 58).trim());
    const start = offset + HEADER;
    if (!Number.isSafeInteger(size) || start + size > archive.length) throw new Error(`${where}: ar member ${name} claims ${header.slice(48, 58).trim()} bytes, past the end of the file: it is truncated`);
    members.push({ name, data: archive.subarray(start, start + size) });
    offset = start + size + (size % 2);
  }
  return members;
}
