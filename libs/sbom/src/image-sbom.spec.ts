import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRandomImage } from '../../image/src/publish/testing/tiny-layout';
import type { BuildRecord } from '../../image/src/record';
import { sbomFileOf, writeServiceSbom } from './image-sbom';

describe('sbomFileOf', () => {
  it('puts the SBOM beside the record', () => {
    expect(sbomFileOf('dist/images/greeter.json')).toBe('dist/images/greeter.cdx.json');
    expect(sbomFileOf('/ws/dist/images/basebox.json')).toBe('/ws/dist/images/basebox.cdx.json');
  });

  it("names another platform's SBOM after the platform", () => {
    expect(sbomFileOf('dist/images/basebox.json', 'linux/arm64/v8')).toBe('dist/images/basebox.linux-arm64-v8.cdx.json');
  });
});

describe('writeServiceSbom', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'image-sbom-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses in one line, writing nothing, when the base layout holds no SBOM of the base the service was built on', async () => {
    const base = writeRandomImage(join(dir, 'basebox'));
    const record = { manifest: { digest: `sha256:${'e'.repeat(64)}` }, tags: ['greeter:latest'], parts: [], meta: { baseDigest: base.manifest.digest } } as unknown as BuildRecord;
    const file = join(dir, 'greeter.cdx.json');
    await expect(writeServiceSbom({ record, layoutDir: join(dir, 'greeter'), file, name: 'greeter', binary: '/nonexistent', baseLayoutDir: join(dir, 'basebox') })).rejects.toThrow(
      `the base layout ${join(dir, 'basebox')} holds no SBOM of ${base.manifest.digest}: build the base again (nx run basebox:layout --skip-nx-cache)`,
    );
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(dir, 'greeter'))).toBe(false);
  });
});
