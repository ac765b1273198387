import Consul from 'consul';
import { startDevAgent } from '../../../../libs/stack/src/consul-agent';
import { consul } from '../toolchain/recipes';
import { locateTool } from '../toolchain/tools';

/**
 * The README's main job. Until the service image exists (issue 6), it shows
 * the part of the pattern that does: a real Consul serving the key a service
 * will read, and says what is still missing.
 */
async function main(): Promise<void> {
  const { path } = await locateTool(consul);
  const agent = await startDevAgent({ consulPath: path });
  try {
    console.log(`demo: consul agent -dev up, HTTP API at ${agent.httpAddr}`);
    const client = new Consul({ host: '127.0.0.1', port: agent.httpPort });
    await client.kv.set('greeter/greeting', 'Hello');
    const got = await client.kv.get('greeter/greeting');
    console.log(`demo: KV greeter/greeting = ${JSON.stringify(got?.Value)}`);
    console.log('demo: not yet built: basebox image (issue 5), greeter image (issue 6)');
  } finally {
    await agent.stop();
    console.log('demo: consul stopped; nothing left running');
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
