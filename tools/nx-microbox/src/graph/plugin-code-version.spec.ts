import { describe, expect, it } from 'vitest';
import { pluginCodeVersion } from './plugin-code-version';

describe('pluginCodeVersion', () => {
  it('is a short hash of the inference code, the same for the same code', () => {
    const version = pluginCodeVersion();
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(pluginCodeVersion()).toBe(version);
  });
});
