import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildRecord, type PartSize, recordOf, readRecord } from '../../../../libs/image/src/record';

/** One bar: an image and its parts, bottom layer first, in bytes. */
export interface SizeBar {
  label: string;
  parts: { kind: PartKind; bytes: number }[];
  /** The 2015 article's figure: one grey part, no split. */
  article?: boolean;
}

export type PartKind = 'article' | 'busybox' | 'libraries' | 's6' | 'CA bundle' | 'consul-template' | 'users, /init' | 'service: s6 dirs, templates, files' | 'service: binary';

/** The legend, in stacking order, and each part's colour. */
export const PART_COLOURS: Record<PartKind, string> = {
  article: '#b0b0b0',
  busybox: '#4e79a7',
  libraries: '#76b7b2',
  s6: '#59a14f',
  'CA bundle': '#edc948',
  'consul-template': '#f28e2b',
  'users, /init': '#9c755f',
  'service: s6 dirs, templates, files': '#e15759',
  'service: binary': '#b07aa1',
};

/** The article's sizes in MB, as it gives them (2015). */
export const ARTICLE_BARS: SizeBar[] = [
  { label: 'ubuntu (2015)', parts: [{ kind: 'article', bytes: 187.9e6 }], article: true },
  { label: 'alpine (2015)', parts: [{ kind: 'article', bytes: 5.24e6 }], article: true },
  { label: 'the article’s base box', parts: [{ kind: 'article', bytes: 15.82e6 }], article: true },
  { label: 'the article’s service (about)', parts: [{ kind: 'article', bytes: 30e6 }], article: true },
];

/** The base's layer names as its record gives them, and the service's, to the chart's kinds. */
const KIND_OF: Record<string, PartKind> = {
  busybox: 'busybox',
  libraries: 'libraries',
  s6: 's6',
  'ca-certificates': 'CA bundle',
  'consul-template': 'consul-template',
  other: 'users, /init',
  binary: 'service: binary',
};

function kindOf(part: string): PartKind {
  return KIND_OF[part] ?? 'service: s6 dirs, templates, files';
}

/**
 * Our images as bars: the base split into its layers, and each service
 * into the base's layers (of the variant it was built on: a part whose
 * digest is the record's baseDigest) and its own.
 */
export function ourBars(base: BuildRecord, services: BuildRecord[]): SizeBar[] {
  const variantOf = (digest: string | undefined) => Object.entries(base.variants ?? {}).find(([, v]) => v.manifest.digest === digest)?.[0];
  const bars: SizeBar[] = [{ label: base.tags[0] ?? 'basebox', parts: base.parts.map((p) => ({ kind: kindOf(p.name), bytes: p.bytes })) }];
  for (const service of services) {
    const isBase = (p: PartSize) => p.digest === service.meta.baseDigest || p.name === 'basebox';
    const variant = variantOf(service.meta.baseDigest);
    const parts = service.parts.flatMap((p) => (isBase(p) ? recordOf(base, variant).parts : [p]));
    const label = `${service.tags[0] ?? service.manifest.digest.slice(0, 19)}${variant ? ` (${variant} base)` : ''}`;
    bars.push({ label, parts: parts.map((p) => ({ kind: kindOf(p.name), bytes: p.bytes })) });
  }
  return bars;
}

/** The records under dist/images: the base's and every service's, by name. */
export async function readImageRecords(dir: string): Promise<{ base: BuildRecord; services: BuildRecord[] }> {
  const records: BuildRecord[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.cdx.json')).sort()) {
    const record = await readRecord(join(dir, file));
    if (record) records.push(record);
  }
  const base = records.find((r) => !r.meta.baseDigest);
  if (!base) throw new Error(`no basebox record in ${dir}: run \`nx run-many -t layout\` first`);
  return { base, services: records.filter((r) => r !== base) };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const total = (bar: SizeBar) => bar.parts.reduce((sum, p) => sum + p.bytes, 0);
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Bars past this are cut, with a break mark and their size written: Ubuntu's 188 MB would flatten every other bar. */
const AXIS_MB = 40;

/**
 * The bars as an SVG, by hand: horizontal stacked bars on one linear MB
 * axis (cut at 40 MB), each with its label and total, and a legend of the
 * parts. Self-contained: no fonts or scripts, so GitHub shows it as is.
 */
export function sizeChartSvg(bars: SizeBar[]): string {
  const labelWidth = 230;
  const plotWidth = 520;
  const rowHeight = 30;
  const top = 40;
  const scale = plotWidth / (AXIS_MB * 1e6);
  const kinds = (Object.keys(PART_COLOURS) as PartKind[]).filter((k) => bars.some((b) => b.parts.some((p) => p.kind === k)));
  const legendTop = top + bars.length * rowHeight + 40;
  const legendRows = Math.ceil(kinds.length / 3);
  const width = labelWidth + plotWidth + 120;
  const height = legendTop + legendRows * 22 + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${labelWidth}" y="22" font-size="15" font-weight="bold">Image sizes, MB (layer tars uncompressed; the article's in grey)</text>`,
  ];
  for (let tick = 0; tick <= AXIS_MB; tick += 10) {
    const x = labelWidth + tick * 1e6 * scale;
    out.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${top + bars.length * rowHeight}" stroke="#dddddd"/>`);
    out.push(`<text x="${x}" y="${top + bars.length * rowHeight + 16}" text-anchor="middle" fill="#555555">${tick}</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    out.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escape(bar.label)}</text>`);
    let x = labelWidth;
    for (const part of bar.parts) {
      const w = Math.min(part.bytes * scale, labelWidth + plotWidth - x);
      out.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(w, 0).toFixed(1)}" height="${rowHeight - 10}" fill="${PART_COLOURS[part.kind]}"><title>${escape(`${bar.label}: ${part.kind} ${mb(part.bytes)} MB`)}</title></rect>`);
      x += w;
    }
    const cut = total(bar) > AXIS_MB * 1e6;
    if (cut) out.push(`<path d="M${x - 14} ${y + 2} l6 ${rowHeight - 6} M${x - 8} ${y + 2} l6 ${rowHeight - 6}" stroke="#ffffff" stroke-width="3"/>`);
    out.push(`<text x="${x + 6}" y="${y + 17}" fill="#333333">${mb(total(bar))}${cut ? ' (bar cut)' : ''}</text>`);
  });
  kinds.forEach((kind, i) => {
    const x = 40 + (i % 3) * 260;
    const y = legendTop + Math.floor(i / 3) * 22;
    out.push(`<rect x="${x}" y="${y}" width="14" height="14" fill="${PART_COLOURS[kind]}"/>`);
    out.push(`<text x="${x + 20}" y="${y + 12}">${escape(kind === 'article' ? 'the 2015 article (not split)' : kind)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The same figures as a markdown table: one row per image, one column per part, MB. */
export function sizeTable(bars: SizeBar[]): string {
  const kinds = (Object.keys(PART_COLOURS) as PartKind[]).filter((k) => k !== 'article' && bars.some((b) => b.parts.some((p) => p.kind === k)));
  const sum = (bar: SizeBar, kind: PartKind) => bar.parts.filter((p) => p.kind === kind).reduce((s, p) => s + p.bytes, 0);
  const rows = bars.map((bar) => `| ${bar.label} | ${mb(total(bar))} | ${kinds.map((k) => (bar.article ? '' : sum(bar, k) ? mb(sum(bar, k)) : '–')).join(' | ')} |`);
  return [`| image | MB | ${kinds.join(' | ')} |`, `|---|--:|${kinds.map(() => '--:').join('|')}|`, ...rows].join('\n') + '\n';
}
