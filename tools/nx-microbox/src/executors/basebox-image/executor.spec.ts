import type { ExecutorContext } from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';

const buildBasebox = vi.fn();
vi.mock('../../../../../libs/basebox/src/build', () => ({
  buildBasebox: (...args: unknown[]) => buildBasebox(...args),
  formatBreakdown: () => ['part  layer  gzipped'],
}));
vi.mock('../../../../scripts/src/toolchain/tools', () => ({
  locateTool: async () => ({ path: '/cache/consul-template', source: 'cache' }),
}));

const { default: executor } = await import('./executor');
const context = { root: '/ws' } as ExecutorContext;

describe('basebox-image executor', () => {
  afterEach(() => buildBasebox.mockReset());

  it('passes workspace-relative paths as absolute ones, and the bootstrap consul-template by default', async () => {
    buildBasebox.mockResolvedValue({ record: {}, reused: false });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await executor({ flavour: 'debian', record: 'dist/images/basebox.json' }, context)).toEqual({ success: true });
    expect(buildBasebox).toHaveBeenCalledWith({
      flavour: 'debian',
      consulTemplate: '/cache/consul-template',
      lockFile: '/ws/libs/basebox/debian.lock.json',
      recordFile: '/ws/dist/images/basebox.json',
      tags: undefined,
    });
    log.mockRestore();
  });

  it('fails with the library error on one line', async () => {
    buildBasebox.mockRejectedValue(new Error('unknown basebox flavour "arch": use one of debian, alpine'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ flavour: 'arch', consulTemplate: '/x/ct' }, context)).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('basebox:image: unknown basebox flavour "arch": use one of debian, alpine');
    expect(buildBasebox.mock.calls[0]![0]).toMatchObject({ consulTemplate: '/x/ct' });
    error.mockRestore();
  });
});
