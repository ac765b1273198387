import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../wait/src/wait-for';
import { freePort } from './free-port';

export interface DevAgentOptions {
  /** Path of the consul binary (the bootstrap's: `locateTool(consul)`). */
  consulPath: string;
  /** Where the HTTP API listens; 0.0.0.0 lets containers reach it. */
  clientAddr?: string;
  /** Fixed HTTP port; a free one is picked when absent. */
  httpPort?: number;
}

export interface DevAgent {
  /** `127.0.0.1:PORT`, the form CONSUL_HTTP_ADDR takes. */
  readonly httpAddr: string;
  readonly httpPort: number;
  readonly pid: number;
  /** Everything the agent printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

interface Ports {
  http: number;
  server: number;
  serf_lan: number;
  serf_wan: number;
}

function configHcl(ports: Ports, clientAddr: string): string {
  return [
    `client_addr = "${clientAddr}"`,
    'bind_addr = "127.0.0.1"',
    // DNS and gRPC are not used here; turning them off frees their fixed ports.
    `ports { http = ${ports.http}, server = ${ports.server}, serf_lan = ${ports.serf_lan}, serf_wan = ${ports.serf_wan}, dns = -1, grpc = -1, grpc_tls = -1 }`,
    'log_level = "warn"',
    '',
  ].join('\n');
}

async function hasLeader(httpPort: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/status/leader`, { signal: AbortSignal.timeout(1000) });
  return res.ok && (await res.json()) !== '' ? true : undefined;
}

/**
 * A real `consul agent -dev` on loopback ports of its own, with a leader, for
 * tests and the demo. Its state is in memory: a restart starts empty.
 */
export async function startDevAgent(options: DevAgentOptions): Promise<DevAgent> {
  const ports: Ports = {
    http: options.httpPort ?? (await freePort()),
    server: await freePort(),
    serf_lan: await freePort(),
    serf_wan: await freePort(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'microbox-consul-'));
  writeFileSync(join(dir, 'agent.hcl'), configHcl(ports, options.clientAddr ?? '127.0.0.1'));
  const child = spawn(options.consulPath, ['agent', '-dev', `-config-file=${join(dir, 'agent.hcl')}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // An agent that exits (a bad config, a port taken) ends the wait at once.
  const gone = new AbortController();
  child.once('exit', (code, signal) => gone.abort(new Error(`consul exited with ${code ?? signal} before it had a leader:\n${log}`)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(`a leader of the consul agent on port ${ports.http}`, () => hasLeader(ports.http), { timeoutMs: 15_000, intervalMs: 100, signal: gone.signal });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    httpAddr: `127.0.0.1:${ports.http}`,
    httpPort: ports.http,
    pid: child.pid ?? -1,
    output: () => log,
    stop,
  };
}
