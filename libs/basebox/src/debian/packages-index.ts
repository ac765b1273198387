import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import type { DebianSource } from './archive-settings';
import { fetchBytes } from './fetch-url';
import type { Release } from './in-release';

/** What a Packages stanza says about one .deb. */
export interface PackageRecord {
  name: string;
  version: string;
  architecture: string;
  /** The .deb's path below the archive root (pool/...). */
  filename: string;
  size: number;
  sha256: string;
  /** Package names of Depends and Pre-Depends (the first of each alternative, without version constraints). */
  depends: string[];
}

/** The fields of one deb822 stanza; continuation lines are kept, joined by newlines. */
export function parseStanza(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
    else {
      const m = /^([^:\s]+):[ \t]*(.*)$/.exec(line);
      if (m) fields.set((last = m[1]!), m[2]!.trim());
    }
  }
  return fields;
}

function packageNames(relation: string | undefined): string[] {
  return (relation ?? '')
    .split(',')
    .map((d) => d.trim().split(/[\s|(:]/)[0]!)
    .filter(Boolean);
}

/** One stanza of a Packages index as a record; `where` names the index in errors. */
export function parsePackageStanza(stanza: string, where: string): PackageRecord {
  const f = parseStanza(stanza);
  const name = f.get('Package');
  const record = {
    name: name ?? '',
    version: f.get('Version') ?? '',
    architecture: f.get('Architecture') ?? '',
    filename: f.get('Filename') ?? '',
    size: Number(f.get('Size')),
    sha256: f.get('SHA256') ?? '',
    depends: [...packageNames(f.get('Pre-Depends')), ...packageNames(f.get('Depends'))],
  };
  const missing = (['name', 'version', 'architecture', 'filename', 'sha256'] as const).filter((k) => !record[k]);
  if (missing.length || !Number.isSafeInteger(record.size)) {
    throw new Error(`${where}: the stanza of ${name ?? '(no Package field)'} lacks ${missing.length ? missing.join(', ') : 'a numeric Size'}: the index is damaged; check the mirror`);
  }
  return record;
}

/**
 * A Packages index, its stanzas found by package name and parsed only when
 * asked for: an index holds some 60,000 packages and the base needs a few.
 */
export class PackagesIndex {
  private readonly stanzas = new Map<string, string[]>();

  constructor(
    text: string,
    readonly where: string,
  ) {
    for (const stanza of text.split(/\n[ \t]*\n/)) {
      const name = /^Package:[ \t]*(\S+)/m.exec(stanza)?.[1];
      if (name) this.stanzas.set(name, [...(this.stanzas.get(name) ?? []), stanza]);
      else if (stanza.trim()) throw new Error(`${where} has a stanza without a Package field: the index is damaged; check the mirror`);
    }
  }

  /** Every version of a package the index lists (usually one). */
  records(name: string): PackageRecord[] {
    return (this.stanzas.get(name) ?? []).map((stanza) => parsePackageStanza(stanza, this.where));
  }
}

/** The compressed forms we can read, best first: gzip downloads a third more than xz but decompresses some ten times faster. */
const INDEXES = [
  { suffix: '.gz', decompress: async (data: Buffer) => gunzipSync(data) },
  { suffix: '.xz', decompress: (data: Buffer) => xz.decompress(data) },
];

/**
 * A suite's Packages index for one component and architecture, fetched and
 * checked against the size and sha256 its verified Release lists for it.
 */
export async function fetchPackages(source: DebianSource, release: Release, component: string, architecture: string): Promise<PackagesIndex> {
  const dir = `${component}/binary-${architecture}`;
  const choice = INDEXES.map((index) => ({ ...index, path: `${dir}/Packages${index.suffix}` })).find((index) => release.files.has(index.path));
  if (!choice) throw new Error(`${source.url}/dists/${source.suite}/InRelease lists no ${dir}/Packages.gz or .xz: the suite does not serve ${architecture}; check the archive settings`);
  const expected = release.files.get(choice.path)!;
  const path = release.acquireByHash ? `${dir}/by-hash/SHA256/${expected.sha256}` : choice.path;
  const url = `${source.url}/dists/${source.suite}/${path}`;
  const data = await fetchBytes(url, `check the mirror ${source.url} and the network`);
  const actual = createHash('sha256').update(data).digest('hex');
  if (data.length !== expected.size || actual !== expected.sha256) {
    throw new Error(
      `${url} has sha256 ${actual} (${data.length} bytes), but the signed InRelease lists ${expected.sha256} (${expected.size} bytes) for ${choice.path}: the mirror is broken or mid-update; try again later or use another mirror`,
    );
  }
  const text = (await choice.decompress(data)).toString('utf8');
  return new PackagesIndex(text, `${source.suite} ${choice.path}`);
}
