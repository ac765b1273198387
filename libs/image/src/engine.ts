import Docker from 'dockerode';

export interface Engine {
  docker: Docker;
  /** Where the engine was reached, as DOCKER_HOST would name it. */
  endpoint: string;
  version: string;
  apiVersion: string;
  /** The engine's own platform (`linux/amd64`): the image of a multi-platform record it gets. */
  platform: string;
}

const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

function connectionOptions(endpoint: string): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  const url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:') {
    throw new Error(`DOCKER_HOST=${endpoint} is not supported here: use unix:///path/to/docker.sock or tcp://host:port`);
  }
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/**
 * Connects to the engine DOCKER_HOST names (or the local socket) and pins the
 * API version the daemon reports: dockerode 5 does not negotiate, and its
 * default is newer than some engines (Docker 20.10 speaks 1.41).
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000): Promise<Engine> {
  const endpoint = env.DOCKER_HOST || DEFAULT_ENDPOINT;
  const options = connectionOptions(endpoint);
  let version: Docker.DockerVersion;
  try {
    version = await new Docker({ ...options, timeout: timeoutMs }).version();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const fix = env.DOCKER_HOST
      ? 'start that engine, or unset DOCKER_HOST to use the local one'
      : 'start the Docker engine (`npm run bootstrap` starts one here), or set DOCKER_HOST';
    throw new Error(`the Docker engine at ${endpoint} does not answer (${reason}): ${fix}`);
  }
  const docker = new Docker({ ...options, version: `v${version.ApiVersion}` });
  return { docker, endpoint, version: version.Version, apiVersion: version.ApiVersion, platform: `${version.Os}/${version.Arch}` };
}
