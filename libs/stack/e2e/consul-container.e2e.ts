import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../image/src/engine';
import { consul } from '../../toolchain/src/recipes';
import { inspectCachedTool } from '../../toolchain/src/tool-cache';
import { consulHasLeader, startConsulContainer } from '../src/consul-container';
import { createNetwork, execIn, removeOwned } from '../src/containers';
import { waitFor } from '../src/wait';

const owner = `e2e-consul-container-${process.pid}`;

describe("Consul in a container made from the bootstrap's binary", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await connectEngine();
  });
  afterAll(async () => removeOwned(engine, owner));

  it('serves KV on a user-defined network and on a port published on 127.0.0.1', async () => {
    const cached = await inspectCachedTool(consul);
    if (cached.state !== 'ready') throw new Error(`consul not bootstrapped: ${cached.reason}`);
    const network = `${owner}-net`;
    await createNetwork(engine, network, owner);
    const agent = await startConsulContainer(
      engine,
      { path: cached.path, version: consul.version, sha256: cached.record.sha256 },
      { name: `${owner}-consul`, network, owner },
    );
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { ms } = await waitFor('consul leader', () => consulHasLeader(agent.url!), { timeoutMs: 15_000 });
    expect(ms).toBeLessThan(15_000);

    const client = new Consul({ host: '127.0.0.1', port: Number(new URL(agent.url!).port) });
    await client.kv.set('stack/e2e', 'from the host');
    // The agent answers its own API inside the container too: the CLI reads the same key.
    const inside = await execIn(agent.container, ['/bin/consul', 'kv', 'get', 'stack/e2e']);
    expect(inside).toEqual({ exitCode: 0, output: 'from the host\n' });
  });
});
