import type { ExecutorContext } from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';

const buildBasebox = vi.fn();
const writeRecord = vi.fn();
vi.mock('../../../../../libs/basebox/src/build', () => ({
  buildBasebox: (...args: unknown[]) => buildBasebox(...args),
  formatBreakdown: () => ['part  layer  gzipped'],
}));
vi.mock('../../../../../libs/image/src/record', () => ({ writeRecord: (...args: unknown[]) => writeRecord(...args) }));
const writeBaseboxSboms = vi.fn(async (..._args: unknown[]) => ({ components: 1, seconds: 0, files: ['/ws/dist/images/basebox.cdx.json'] }));
vi.mock('../../../../../libs/sbom/src/image-sbom', () => ({ writeBaseboxSboms: (...args: unknown[]) => writeBaseboxSboms(...args) }));
vi.mock('../../../../../libs/toolchain/src/tools', () => ({
  locateTool: async (recipe: { platform?: string }) => ({ path: `/cache/consul-template${recipe.platform ? `-${recipe.platform.replace('/', '-')}` : ''}`, source: 'cache' }),
}));

const { default: executor } = await import('./executor');
const context = { root: '/ws' } as ExecutorContext;
const options = { layout: 'dist/images/basebox', record: 'dist/images/basebox.json', lockFile: 'libs/basebox/debian.lock.json' };

describe('basebox-layout executor', () => {
  afterEach(() => {
    buildBasebox.mockReset();
    writeRecord.mockReset();
  });

  it("passes workspace-relative paths as absolute ones and the bootstrap's consul-template of each architecture, then writes the record", async () => {
    buildBasebox.mockResolvedValue({ tags: ['microbox/basebox:latest'] });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await executor(options, context)).toEqual({ success: true });
    expect(buildBasebox.mock.calls[0]![0]).toMatchObject({
      consulTemplate: { amd64: '/cache/consul-template', arm64: '/cache/consul-template-linux-arm64' },
      lockFile: '/ws/libs/basebox/debian.lock.json',
      layoutDir: '/ws/dist/images/basebox',
      layoutName: 'dist/images/basebox',
    });
    expect(writeRecord).toHaveBeenCalledWith('/ws/dist/images/basebox.json', { tags: ['microbox/basebox:latest'] });
    expect(writeBaseboxSboms).toHaveBeenCalledWith(
      expect.objectContaining({
        layoutDir: '/ws/dist/images/basebox',
        recordFile: '/ws/dist/images/basebox.json',
        lockFile: '/ws/libs/basebox/debian.lock.json',
        consulTemplate: { amd64: '/cache/consul-template', arm64: '/cache/consul-template-linux-arm64' },
      }),
    );
    log.mockRestore();
  });

  it('fails with the library error on one line and writes no record', async () => {
    buildBasebox.mockRejectedValue(new Error('the lock file /ws/x.json cannot be read: run `nx run basebox:lock` to write it'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ ...options, consulTemplate: { arm64: 'ct-arm64' } }, context)).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('basebox:layout: the lock file /ws/x.json cannot be read: run `nx run basebox:lock` to write it');
    expect(buildBasebox.mock.calls[0]![0]).toMatchObject({ consulTemplate: { amd64: '/cache/consul-template', arm64: '/ws/ct-arm64' } });
    expect(writeRecord).not.toHaveBeenCalled();
    error.mockRestore();
  });
});
