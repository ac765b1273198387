import { describe, expect, it } from 'vitest';
import type { BuildRecord, PlatformImage } from '../../image/src/record';
import { formatBreakdown } from './build';

const manifest = (architecture: string, variant?: string) => ({ mediaType: 'm', digest: `sha256:${architecture[0]!.repeat(64)}`, size: 1, platform: { os: 'linux', architecture, variant } });
const image = (architecture: string, ct: number, variant?: string): PlatformImage => ({
  manifest: manifest(architecture, variant),
  id: 'sha256:x',
  size: 4_000_000 + ct,
  gzipSize: 2_000_000 + ct / 2,
  parts: [
    { name: 'busybox', bytes: 4_000_000, gzipBytes: 2_000_000 },
    ...(ct ? [{ name: 'consul-template', bytes: ct, gzipBytes: ct / 2 }] : []),
  ],
  blobs: [],
});

describe('formatBreakdown', () => {
  it('prints each part, the total and the slim variant per platform, and what the base adds around consul-template', () => {
    const record: BuildRecord = {
      ...image('amd64', 14_000_000),
      tags: ['microbox/basebox:0.1.0'],
      layout: 'l',
      meta: {},
      platforms: { 'linux/arm64/v8': image('arm64', 13_000_000, 'v8') },
      variants: { slim: { ...image('amd64', 0), tags: ['microbox/basebox:0.1.0-slim'], platforms: { 'linux/arm64/v8': image('arm64', 0, 'v8') } } },
    };
    expect(formatBreakdown(record)).toEqual([
      'part             linux/amd64 layer     gzipped  linux/arm64/v8 layer     gzipped',
      'busybox                    4.00 MB     2.00 MB               4.00 MB     2.00 MB',
      'consul-template           14.00 MB     7.00 MB              13.00 MB     6.50 MB',
      'total                     18.00 MB     9.00 MB              17.00 MB     8.50 MB  (layer tars summed; gzipped blobs summed)',
      'around consul-template: linux/amd64 4.00 MB (its layer 14.00 MB), linux/arm64/v8 4.00 MB (its layer 13.00 MB)',
      'microbox/basebox:0.1.0-slim: linux/amd64 4.00 MB (2.00 MB gzipped), linux/arm64/v8 4.00 MB (2.00 MB gzipped); no consul-template: for services without templates',
    ]);
  });
});
