/**
 * The licenses a Debian machine-readable copyright file (DEP-5,
 * copyright-format 1.0) names: the first line of the License field of its
 * header and of every Files paragraph, each once, in order. A free-form
 * copyright file names none: a license is never guessed from prose.
 */
export function dep5Licenses(text: string): string[] | undefined {
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(fieldsOf)
    .filter((p) => p.size);
  const header = paragraphs[0];
  if (!header?.get('format')?.includes('copyright-format')) return undefined;
  const names: string[] = [];
  for (const [i, paragraph] of paragraphs.entries()) {
    if (i > 0 && !paragraph.has('files')) continue;
    const name = paragraph.get('license')?.split('\n')[0]?.trim();
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** A paragraph's fields by lower-case name; continuation lines (a leading space or tab) join the field above. */
function fieldsOf(paragraph: string): Map<string, string> {
  const fields = new Map<string, string>();
  let current: string | undefined;
  for (const line of paragraph.split('\n')) {
    if (/^[ \t]/.test(line) && current) fields.set(current, `${fields.get(current)}\n${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0 || line.startsWith('#')) continue;
      current = line.slice(0, colon).trim().toLowerCase();
      fields.set(current, line.slice(colon + 1).trim());
    }
  }
  return fields;
}

/** DEP-5 short names whose SPDX identifier is spelled differently. */
const DEP5_TO_SPDX: Record<string, string> = {
  expat: 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
  zlib: 'Zlib',
  'public-domain': '',
};

/**
 * The SPDX identifier of one DEP-5 short name (`GPL-2+` is
 * GPL-2.0-or-later, `Expat` is MIT), or undefined when it has none (an
 * expression with `or`/`and`, a package's own name for its terms): then the
 * name is kept as written.
 */
export function spdxIdOf(name: string, isSpdxId: (id: string) => boolean): string | undefined {
  const mapped = DEP5_TO_SPDX[name.toLowerCase()];
  if (mapped !== undefined) return mapped || undefined;
  const gnu = /^(A?GPL|LGPL|GFDL)-(\d)(?:\.(\d))?(\+)?$/i.exec(name);
  if (gnu) {
    const id = `${gnu[1]!.toUpperCase()}-${gnu[2]}.${gnu[3] ?? '0'}-${gnu[4] ? 'or-later' : 'only'}`;
    return isSpdxId(id) ? id : undefined;
  }
  return isSpdxId(name) ? name : undefined;
}
