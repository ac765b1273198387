import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pushExecutor, { resolveRegistry } from './executor';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'push-executor-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const context = () => ({ root: ws, cwd: ws, isVerbose: false, projectName: 'greeter', targetName: 'push' }) as unknown as ExecutorContext;

describe('the registry setting', () => {
  it('is MICROBOX_REGISTRY, else the target option (which the plugin fills from nx.json)', () => {
    expect(resolveRegistry({ registry: '127.0.0.1:6000' }, context(), { MICROBOX_REGISTRY: '127.0.0.1:5000' })).toEqual({ host: '127.0.0.1:5000', namespace: [] });
    expect(resolveRegistry({ registry: 'registry.example.com/acme' }, context(), {})).toEqual({ host: 'registry.example.com', namespace: ['acme'] });
  });

  it('names the setting a bad value came from, and says how to set one when there is none', () => {
    expect(() => resolveRegistry({ registry: 'nodot' }, context(), {})).toThrow(/option registry of greeter:push \(or of @microbox\/nx-microbox in nx.json\)="nodot"/);
    expect(() => resolveRegistry({}, context(), {})).toThrow(/no registry to push to: set MICROBOX_REGISTRY=host\[:port\]\[\/namespace\]/);
  });
});

describe('push executor', () => {
  it('fails in one line when there is no build record', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubEnv('MICROBOX_REGISTRY', '127.0.0.1:5000');
    expect(await pushExecutor({}, context())).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('greeter:push: no build record at dist/images/greeter.json: run `nx run greeter:layout` first');
    vi.unstubAllEnvs();
  });
});
