import type { ExecutorContext } from '@nx/devkit';
import { describe, expect, it, vi } from 'vitest';

const refreshLock = vi.fn();
vi.mock('../../../../../libs/basebox/src/refresh-lock', () => ({ refreshLock: (...args: unknown[]) => refreshLock(...args) }));

const { default: executor } = await import('./executor');

describe('basebox-lock executor', () => {
  it('refreshes the lock file named relative to the workspace', async () => {
    refreshLock.mockResolvedValue({ packages: [] });
    expect(await executor({}, { root: '/ws' } as ExecutorContext)).toEqual({ success: true });
    expect(refreshLock.mock.calls[0]![0]).toBe('/ws/libs/basebox/debian.lock.json');
  });

  it('fails with the error on one line', async () => {
    refreshLock.mockRejectedValue(new Error('apt knows no package s6 (E: No packages found): run `apt-get update` as root, then try again'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ lockFile: '/tmp/x.json' }, { root: '/ws' } as ExecutorContext)).toEqual({ success: false });
    expect(refreshLock.mock.calls[1]![0]).toBe('/tmp/x.json');
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^basebox:lock: apt knows no package s6/));
    error.mockRestore();
  });
});
