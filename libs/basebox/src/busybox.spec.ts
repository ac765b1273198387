import { describe, expect, it } from 'vitest';
import { parseAppletList } from './busybox';

describe('parseAppletList', () => {
  it('gives absolute, sorted applet paths, without busybox itself or bare names', () => {
    expect(parseAppletList('linuxrc\nbin/sh\nusr/bin/awk\nbin/busybox\nbin/ash\n\n')).toEqual(['/bin/ash', '/bin/sh', '/usr/bin/awk']);
  });
});
