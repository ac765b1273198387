import { describe, expect, it } from 'vitest';
import { slimTags } from './slim';

describe('slimTags', () => {
  it('names the slim variant beside each tag of the base: latest is slim, a version gets -slim', () => {
    expect(slimTags(['microbox/basebox:0.1.0', 'microbox/basebox:latest'])).toEqual(['microbox/basebox:0.1.0-slim', 'microbox/basebox:slim']);
    expect(slimTags(['127.0.0.1:5000/base', 'registry:5000/team/base:v2'])).toEqual(['127.0.0.1:5000/base:slim', 'registry:5000/team/base:v2-slim']);
  });
});
