import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const buildServiceImage = vi.fn();
const writeRecord = vi.fn();
const completeLayout = vi.fn();
const base = { layout: 'dist/images/basebox', tags: ['microbox/basebox:0.1.0'] };
vi.mock('../../../../../libs/service-image/src/build', () => ({
  buildServiceImage: (...args: unknown[]) => buildServiceImage(...args),
}));
vi.mock('../../../../../libs/image/src/record', () => ({
  readRecord: async (path: string) => (path.endsWith('basebox.json') ? base : undefined),
  writeRecord: (...args: unknown[]) => writeRecord(...args),
  formatMB: (n: number) => `${n} B`,
}));
vi.mock('../../../../../libs/image/src/layout-record', () => ({ completeLayout: (...args: unknown[]) => completeLayout(...args) }));
vi.mock('../../../../../libs/image/src/blob-store', () => ({ BlobStore: { forEnv: () => ({ dir: '/store' }) } }));

const { default: executor } = await import('./executor');

let root: string;
const context = () =>
  ({ root, projectName: 'greeter', projectsConfigurations: { version: 2, projects: { greeter: { root: 'apps/greeter' } } } }) as unknown as ExecutorContext;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'image-executor-'));
  mkdirSync(join(root, 'apps/greeter/templates'), { recursive: true });
  writeFileSync(join(root, 'apps/greeter/templates/greeter.json.tmpl'), '{}');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  buildServiceImage.mockReset();
  writeRecord.mockReset();
  completeLayout.mockReset();
});
const baseRecord = 'dist/images/basebox.json';

function goBuildRecord(version = 'abcdef123456') {
  mkdirSync(join(root, 'dist/apps/greeter'), { recursive: true });
  writeFileSync(
    join(root, 'dist/apps/greeter/build.json'),
    JSON.stringify({ primary: 'dist/apps/greeter/greeter', commit: 'abcdef1234567890abcdef1234567890abcdef12', commitTime: '2026-11-28T05:00:00+00:00', version }),
  );
}

describe('service-layout executor', () => {
  it('builds from go-build\'s record: binary, commit labels and the commit tag', async () => {
    goBuildRecord();
    buildServiceImage.mockResolvedValue({ parts: [] });
    expect(await executor({ baseRecord, source: 'https://ci:s3cret@example.com/r' }, context())).toEqual({ success: true });
    expect(completeLayout.mock.calls[0]!.slice(0, 1)).toEqual([join(root, 'dist/images/basebox')]);
    expect(buildServiceImage.mock.calls[0]![0]).toMatchObject({
      spec: { name: 'greeter', binary: join(root, 'dist/apps/greeter/greeter'), giveUpCode: 78, templates: [{ destination: '/run/greeter/greeter.json' }] },
      base,
      layoutDir: join(root, 'dist/images/greeter'),
      layoutName: 'dist/images/greeter',
      origin: { revision: 'abcdef1234567890abcdef1234567890abcdef12', created: '2026-11-28T05:00:00+00:00', source: 'https://example.com/r' },
      revisionTag: 'abcdef123456',
    });
    expect(writeRecord).toHaveBeenCalledWith(join(root, 'dist/images/greeter.json'), { parts: [] });
  });

  it('tags a build from uncommitted sources -dirty', async () => {
    goBuildRecord('abcdef123456+dirty');
    buildServiceImage.mockResolvedValue({ parts: [] });
    await executor({ baseRecord }, context());
    expect(buildServiceImage.mock.calls[0]![0].revisionTag).toBe('abcdef123456-dirty');
  });

  it('says to run go-build when its record is missing, and builds nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord }, context())).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('greeter:layout: no go-build record at dist/apps/greeter/build.json: run `nx run greeter:go-build` first');
    expect(buildServiceImage).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('says to build the base first when its record is missing, and writes no record', async () => {
    goBuildRecord();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord: 'dist/images/none.json' }, context())).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('greeter:layout: the base image of greeter is not built (no record at dist/images/none.json): run `nx run basebox:layout` first');
    expect(writeRecord).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('refuses a bad option on one line, naming it', async () => {
    goBuildRecord();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord, giveUpCode: 300 }, context())).toEqual({ success: false });
    expect(error.mock.calls[0]![0]).toMatch(/^greeter:layout: giveUpCode 300 cannot be an exit code of its own/);
    expect(await executor({ baseRecord, templates: [{ source: 'templates/greeter.json.tmpl', destination: '/etc/greeter.json' }] }, context())).toEqual({ success: false });
    expect(error.mock.calls[1]![0]).toMatch(/renders to \/etc\/greeter\.json, which is not writable with a read-only root/);
    expect(buildServiceImage).not.toHaveBeenCalled();
    error.mockRestore();
  });
});
