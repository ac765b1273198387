import { describe, expect, it } from 'vitest';
import { goCandidates } from './go';

describe('goCandidates', () => {
  it('looks on PATH first, then in the usual install folder', () => {
    const list = goCandidates({ PATH: '/opt/a:/opt/b' });
    expect(list.slice(0, 3)).toEqual(['/opt/a/go', '/opt/b/go', '/usr/local/go/bin/go']);
  });
});
