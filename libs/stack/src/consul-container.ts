import { readFile } from 'node:fs/promises';
import { BlobStore } from '../../image/src/blob-store';
import { loadIntoDaemon } from '../../image/src/daemon';
import type { Engine } from '../../image/src/engine';
import { writeImage } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { runContainer, type RunningContainer } from './containers';

export const CONSUL_PORT = 8500;
const SHA_LABEL = 'dev.microbox.consul.sha256';

export interface ConsulBinary {
  path: string;
  version: string;
  sha256: string;
}

export function consulImageTag(binary: ConsulBinary): string {
  return `microbox/consul:${binary.version}`;
}

/**
 * An image of the bootstrap's own Consul binary, FROM scratch (no registry is
 * needed), so Consul can sit on the same Docker network as the services.
 * Built once per binary: the binary's sha256 is a label on the image.
 */
export async function ensureConsulImage(engine: Engine, binary: ConsulBinary, log?: (line: string) => void): Promise<string> {
  const tag = consulImageTag(binary);
  try {
    const info = await engine.docker.getImage(tag).inspect();
    if (info.Config.Labels?.[SHA_LABEL] === binary.sha256) return tag;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const store = BlobStore.forEnv();
  const created = '2000-01-01T00:00:00Z';
  const layer = await buildLayer(
    store,
    [
      { type: 'file', path: '/bin/consul', content: await readFile(binary.path), mode: 0o755 },
      { type: 'directory', path: '/tmp', mode: 0o1777 },
    ],
    { mtime: new Date(created) },
  );
  const image = await writeImage(store, {
    layers: [layer],
    config: {
      platform: { os: 'linux', architecture: 'amd64' },
      created,
      labels: { [SHA_LABEL]: binary.sha256 },
      entrypoint: ['/bin/consul'],
      // A dev agent: in memory, its own leader, the HTTP API open to the network it is on.
      cmd: ['agent', '-dev', '-client=0.0.0.0', '-log-level=warn'],
    },
    history: ['microbox: the bootstrap\'s consul'],
  });
  await loadIntoDaemon(engine, store, image, [tag], log);
  return tag;
}

/**
 * A single-server Consul that keeps its data in the container, so a restarted
 * container comes back with its KV (a dev agent would come back empty). Raft
 * and serf bind to loopback: a server alone needs no peers, and its own
 * address then stays the same whatever IP the network gives it after a restart.
 */
export const CONSUL_SERVER_CMD = [
  'agent',
  '-server',
  '-bootstrap-expect=1',
  '-bind=127.0.0.1',
  '-client=0.0.0.0',
  '-data-dir=/tmp/consul',
  '-log-level=warn',
  '-hcl=performance { raft_multiplier = 1 }',
];

/** Starts Consul on `network`, reachable there as `consul:8500` and from the host at its url. */
export async function startConsulContainer(
  engine: Engine,
  binary: ConsulBinary,
  { name, network, owner }: { name: string; network: string; owner: string },
): Promise<RunningContainer> {
  const image = await ensureConsulImage(engine, binary);
  return runContainer(engine, { image, name, network, aliases: ['consul'], owner, publish: CONSUL_PORT, cmd: CONSUL_SERVER_CMD });
}

/** Waits until the agent at `url` has a leader, which is when KV writes succeed. */
export async function consulHasLeader(url: string): Promise<true | undefined> {
  const res = await fetch(`${url}/v1/status/leader`, { signal: AbortSignal.timeout(1000) });
  return res.ok && (await res.json()) !== '' ? true : undefined;
}
