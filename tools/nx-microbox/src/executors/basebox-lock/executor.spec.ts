import type { ExecutorContext } from '@nx/devkit';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const refreshLock = vi.fn();
vi.mock('../../../../../libs/basebox/src/refresh-lock', () => ({ refreshLock: (...args: unknown[]) => refreshLock(...args) }));

const { default: executor } = await import('./executor');

describe('basebox-lock executor', () => {
  // Braces: a function returned from beforeEach is run as its teardown, and the mock would be called.
  beforeEach(() => {
    refreshLock.mockReset();
  });

  it('refreshes the lock file named relative to the workspace, with the keyring the workspace ships', async () => {
    refreshLock.mockResolvedValue({ lock: {}, changes: [], seconds: 1 });
    expect(await executor({}, { root: '/ws' } as ExecutorContext)).toEqual({ success: true });
    expect(refreshLock.mock.calls[0]![0]).toEqual({ lockFile: '/ws/libs/basebox/debian.lock.json', keyringDir: '/ws/libs/basebox/keys' });
  });

  it('fails with the error on one line', async () => {
    refreshLock.mockRejectedValue(new Error('http://deb.debian.org/debian/dists/bookworm/InRelease is signed by no key of the Debian archive keyring'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ lockFile: '/tmp/x.json' }, { root: '/ws' } as ExecutorContext)).toEqual({ success: false });
    expect(refreshLock.mock.calls).toHaveLength(1);
    expect(refreshLock.mock.calls[0]![0].lockFile).toBe('/tmp/x.json');
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^basebox:lock: http:\/\/deb\.debian\.org\/debian\/dists\/bookworm\/InRelease is signed by no key/));
    error.mockRestore();
  });
});
