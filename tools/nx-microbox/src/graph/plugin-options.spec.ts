import { describe, expect, it } from 'vitest';
import { parsePluginOptions } from './plugin-options';

describe('parsePluginOptions', () => {
  it('takes no options, or a registry', () => {
    expect(parsePluginOptions(undefined)).toEqual({});
    expect(parsePluginOptions({})).toEqual({});
    expect(parsePluginOptions({ registry: 'ghcr.io/acme' })).toEqual({ registry: 'ghcr.io/acme' });
    expect(parsePluginOptions({ registry: '127.0.0.1:5000' })).toEqual({ registry: '127.0.0.1:5000' });
  });

  it('refuses anything else in one line that names the bad value and the fix', () => {
    const message = (options: unknown) => {
      try {
        parsePluginOptions(options);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    const cases: Array<[unknown, RegExp]> = [
      ['ghcr.io/acme', /options of @microbox\/nx-microbox are "ghcr.io\/acme": give an object, e.g. \{ "registry"/],
      [['x'], /are \["x"\]: give an object/],
      [{ regsitry: 'ghcr.io/acme' }, /option "regsitry" of @microbox\/nx-microbox is not one it knows: the only option is "registry"/],
      [{ registry: 5000 }, /option registry of @microbox\/nx-microbox is 5000: give a string host\[:port\]/],
      [{ registry: ' ' }, /option registry of @microbox\/nx-microbox is " ": give a string host\[:port\]/],
    ];
    for (const [options, pattern] of cases) {
      const m = message(options);
      expect(m).toMatch(pattern);
      expect(m).not.toContain('\n');
    }
  });
});
