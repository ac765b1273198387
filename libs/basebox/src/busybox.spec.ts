import { describe, expect, it } from 'vitest';
import { parseAppletList } from './busybox';

describe('parseAppletList', () => {
  it('gives absolute, sorted applet paths, without busybox itself or bare names', () => {
    expect(parseAppletList('linuxrc\nbin/sh\nusr/bin/awk\nbin/busybox\nbin/ash\n\n')).toEqual(['/bin/ash', '/bin/sh', '/usr/bin/awk']);
  });

  it('links no package manager applet', () => {
    expect(parseAppletList('bin/sh\nbin/rpm\nusr/bin/rpm2cpio\nusr/bin/dpkg\nusr/bin/dpkg-deb\nbin/ls\n')).toEqual(['/bin/ls', '/bin/sh']);
  });
});
