import { createServer } from 'node:net';
import Consul from 'consul';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevAgent, type DevAgent } from '../src/consul-agent';
import { consul } from '../../toolchain/src/recipes';
import { locateTool } from '../../toolchain/src/tools';

describe("Consul from the bootstrap's binary", () => {
  let agent: DevAgent | undefined;
  afterAll(async () => agent?.stop());

  it('runs a dev agent on loopback ports of its own, stores and reads KV, and stops', async () => {
    const { path } = await locateTool(consul);
    agent = await startDevAgent({ consulPath: path });
    expect(agent.httpPort).not.toBe(8500);

    const client = new Consul({ host: '127.0.0.1', port: agent.httpPort });
    const value = `hello ${Date.now()}`;
    expect(await client.kv.set('microbox/e2e/greeting', value)).toBe(true);
    const got = await client.kv.get('microbox/e2e/greeting');
    expect(got?.Value).toBe(value);

    const pid = agent.pid;
    await agent.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`http://${agent.httpAddr}/v1/status/leader`)).rejects.toThrow();
    agent = undefined;
  });

  it('gives up at once, with what consul said, when the agent exits before it has a leader', async () => {
    const { path } = await locateTool(consul);
    // Holds the port Consul is told to use, so the agent fails to start; a probe that reaches it is cut off.
    const taken = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const httpPort = (taken.address() as { port: number }).port;
      const started = Date.now();
      await expect(startDevAgent({ consulPath: path, httpPort })).rejects.toThrow(/^consul exited with 1 before it had a leader:\n[\s\S]*address already in use/);
      // Well before the 15 s the wait for a leader allows.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
