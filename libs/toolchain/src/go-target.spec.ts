import { describe, expect, it } from 'vitest';
import { hostRuns } from './go-target';

describe('hostRuns', () => {
  it('runs a build only on a host of its own platform', () => {
    expect(hostRuns({ goos: 'linux', goarch: 'amd64' }, { platform: 'linux', arch: 'x64' })).toBe(true);
    expect(hostRuns({ goos: 'linux', goarch: 'arm64' }, { platform: 'linux', arch: 'arm64' })).toBe(true);
    expect(hostRuns({ goos: 'linux', goarch: 'arm64' }, { platform: 'linux', arch: 'x64' })).toBe(false);
    expect(hostRuns({ goos: 'linux', goarch: 'amd64' }, { platform: 'linux', arch: 'arm64' })).toBe(false);
    expect(hostRuns({ goos: 'linux', goarch: 'arm64' }, { platform: 'darwin', arch: 'arm64' })).toBe(false);
    expect(hostRuns({ goos: 'linux', goarch: 'amd64' }, { platform: 'darwin', arch: 'x64' })).toBe(false);
  });
});
