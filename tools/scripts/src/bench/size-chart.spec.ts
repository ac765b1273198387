import { describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../../libs/image/src/record';
import { ARTICLE_BARS, ourBars, sizeChartSvg, sizeTable } from './size-chart';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const part = (name: string, bytes: number, d = digest('0')) => ({ name, bytes, digest: d });
const base = {
  manifest: { mediaType: 'm', digest: digest('b'), size: 1 },
  tags: ['microbox/basebox:0.1.0'],
  parts: [part('busybox', 0.9e6), part('libraries', 2.5e6), part('consul-template', 14.8e6), part('other', 0.01e6)],
  meta: {},
  variants: { slim: { manifest: { mediaType: 'm', digest: digest('s'), size: 1 }, tags: ['microbox/basebox:slim'], parts: [part('busybox', 0.9e6), part('libraries', 2.5e6), part('other', 0.01e6)] } },
} as unknown as BuildRecord;
const service = (name: string, baseDigest: string, baseName: string) =>
  ({ manifest: { digest: digest('e') }, tags: [`${name}:latest`], parts: [part(baseName, 1, baseDigest), part('s6 scripts', 0.02e6), part('binary', 6.8e6)], meta: { baseDigest } }) as unknown as BuildRecord;

describe('ourBars', () => {
  it('splits the base into its layers and a service into the layers of the base it was built on (the slim one without consul-template) and its own', () => {
    const [b, greeter, catalog] = ourBars(base, [service('greeter', digest('b'), 'basebox'), service('catalog', digest('s'), 'basebox slim')]);
    expect(b!.parts.map((p) => p.kind)).toEqual(['busybox', 'libraries', 'consul-template', 'users, /init']);
    expect(greeter!.parts.map((p) => p.kind)).toEqual(['busybox', 'libraries', 'consul-template', 'users, /init', 'service: s6 dirs, templates, files', 'service: binary']);
    expect(catalog!.label).toBe('catalog:latest (slim base)');
    expect(catalog!.parts.map((p) => p.kind)).not.toContain('consul-template');
  });
});

describe('sizeChartSvg', () => {
  const bars = [...ARTICLE_BARS, ...ourBars(base, [service('greeter', digest('b'), 'basebox')])];
  const svg = sizeChartSvg(bars);

  it('draws one labelled bar per image with its total, a rect per part, and a legend of the parts shown', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const label of ['ubuntu (2015)', 'alpine (2015)', 'microbox/basebox:0.1.0', 'greeter:latest']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('>5.24</text>');
    expect(svg).toContain('>25.03</text>');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4 + 4 + 6);
    expect(svg).toContain('>consul-template</text>');
    expect(svg).not.toContain('>s6</text>');
  });

  it('cuts a bar past the axis and says so, and escapes labels', () => {
    expect(svg).toContain('>187.90 (bar cut)</text>');
    expect(sizeChartSvg([{ label: 'a<b & "c"', parts: [{ kind: 'busybox', bytes: 1e6 }] }])).toContain('>a&lt;b &amp; &quot;c&quot;</text>');
  });
});

describe('sizeTable', () => {
  it('gives each image a row: its total and its parts in MB, the article’s totals only', () => {
    const table = sizeTable([...ARTICLE_BARS.slice(0, 1), ...ourBars(base, [])]);
    expect(table.split('\n')[0]).toBe('| image | MB | busybox | libraries | consul-template | users, /init |');
    expect(table).toContain('| ubuntu (2015) | 187.90 |  |  |  |  |');
    expect(table).toContain('| microbox/basebox:0.1.0 | 18.21 | 0.90 | 2.50 | 14.80 | 0.01 |');
  });
});
