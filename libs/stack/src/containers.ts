import { Readable, Writable } from 'node:stream';
import type DockerModem from 'docker-modem';
import type Docker from 'dockerode';
import type { Engine } from '../../image/src/engine';
import { freePort } from './free-port';

export interface ContainerSpec {
  image: string;
  name: string;
  /** Label that marks everything one test run or demo made, so it can all be removed at the end. */
  owner: string;
  env?: Record<string, string>;
  network?: string;
  /** Names other containers on the network reach this one by. */
  aliases?: string[];
  /** Container port to publish on 127.0.0.1, at a free port picked now. */
  publish?: number;
  cmd?: string[];
  readOnly?: boolean;
  tmpfs?: Record<string, string>;
  sysctls?: Record<string, string>;
}

export interface RunningContainer {
  container: Docker.Container;
  id: string;
  name: string;
  /** `http://127.0.0.1:PORT` for the published port, when there is one. */
  url?: string;
}

export const OWNER_LABEL = 'dev.microbox.owner';

export async function runContainer(engine: Engine, spec: ContainerSpec): Promise<RunningContainer> {
  const port = spec.publish ? `${spec.publish}/tcp` : undefined;
  // A port of our choosing rather than the engine's: it stays the same when the container restarts.
  const hostPort = port ? String(await freePort()) : undefined;
  const container = await engine.docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { [OWNER_LABEL]: spec.owner },
    ExposedPorts: port ? { [port]: {} } : undefined,
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings: port ? { [port]: [{ HostIp: '127.0.0.1', HostPort: hostPort }] } : undefined,
      ReadonlyRootfs: spec.readOnly,
      Tmpfs: spec.tmpfs,
      Sysctls: spec.sysctls,
    },
    NetworkingConfig: spec.network
      ? { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases ?? [spec.name] } } }
      : undefined,
  });
  await container.start();
  return { container, id: container.id, name: spec.name, url: hostPort ? `http://127.0.0.1:${hostPort}` : undefined };
}

export async function createNetwork(engine: Engine, name: string, owner: string): Promise<Docker.Network> {
  return engine.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: { [OWNER_LABEL]: owner } });
}

/** Removes every container, network and image the owner made, running or not. */
export async function removeOwned(engine: Engine, owner: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${OWNER_LABEL}=${owner}`] });
  const containers = await engine.docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => engine.docker.getContainer(c.Id).remove({ force: true, v: true })));
  const networks = await engine.docker.listNetworks({ filters });
  for (const n of networks) await engine.docker.getNetwork(n.Id).remove();
  const images = await engine.docker.listImages({ filters });
  for (const i of images) await engine.docker.getImage(i.Id).remove({ force: true });
}

/**
 * Collects a non-TTY container's output, which Docker multiplexes (stdout and
 * stderr in headed frames), as one text in the order it came, with dockerode's
 * own demultiplexer.
 */
async function demuxedText(container: Docker.Container, stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  (container.modem as DockerModem).demuxStream(stream, sink, sink);
  await ended;
  return Buffer.concat(chunks).toString();
}

/** Runs a command in a running container; resolves with its exit code and combined output. */
export async function execIn(container: Docker.Container, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const output = await demuxedText(container, await exec.start({ hijack: true, stdin: false }));
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, output };
}

/** The container's stdout and stderr so far, as text. */
export async function containerLogs(container: Docker.Container): Promise<string> {
  // Without follow, dockerode hands the whole log over as one buffer.
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return demuxedText(container, Readable.from([raw]));
}
