import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { $ } from 'zx';
import { connectEngine } from '../../image/src/engine';
import { waitFor } from '../../wait/src/wait-for';
import { aptInstall, canAptInstall } from './apt';
import { fail, formatSeconds, ok, progress } from './report';

export const DOCKERD_LOG = '/var/log/microbox/dockerd.log';
const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineInfo {
  version: string;
  apiVersion: string;
  endpoint: string;
}

export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || `unix://${DEFAULT_SOCKET}`;
}

/** Asks the engine for its version; undefined when nothing answers in time. */
export async function pingEngine(timeoutMs = 3000): Promise<EngineInfo | undefined> {
  try {
    const { version, apiVersion, endpoint } = await connectEngine(process.env, timeoutMs);
    return { version, apiVersion, endpoint };
  } catch {
    return undefined;
  }
}

async function dockerdRunning(): Promise<boolean> {
  return (await $({ nothrow: true, quiet: true })`pgrep -x dockerd`).exitCode === 0;
}

function startDockerd(): number {
  mkdirSync(dirname(DOCKERD_LOG), { recursive: true });
  const log = openSync(DOCKERD_LOG, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  return child.pid ?? -1;
}

/**
 * A Docker engine that answers. On Debian or Ubuntu as root, one that is missing
 * is installed and started; an engine that already runs is never touched.
 */
export async function ensureDockerEngine(): Promise<EngineInfo> {
  const label = 'docker engine';
  const running = await pingEngine();
  if (running) {
    ok(label, `${running.version} (API ${running.apiVersion}) at ${running.endpoint}`);
    return running;
  }
  const endpoint = engineEndpoint();
  if (process.env.DOCKER_HOST) {
    fail(label, `DOCKER_HOST=${endpoint} does not answer: start that engine, or unset DOCKER_HOST to use the local one`);
  }
  if (!canAptInstall()) {
    fail(
      label,
      `no Docker engine answers at ${endpoint}: start Docker Desktop, or install Docker Engine (https://docs.docker.com/engine/install/) and start it, or set DOCKER_HOST`,
    );
  }
  const started = Date.now();
  if (await dockerdRunning()) {
    progress(label, 'dockerd is running but not answering yet; waiting for it');
  } else {
    if (!existsSync('/usr/bin/dockerd') && !existsSync('/usr/sbin/dockerd')) {
      try {
        await aptInstall(label, 'docker.io');
      } catch (err) {
        fail(label, `apt-get install docker.io failed: ${(err as Error).message.trim().split('\n').pop()}`);
      }
    }
    const pid = startDockerd();
    progress(label, `started dockerd (pid ${pid}), log: ${DOCKERD_LOG}`);
  }
  const { value: info } = await waitFor(`dockerd to answer at ${endpoint}`, () => pingEngine(), { timeoutMs: 60_000, intervalMs: 500 }).catch((err: Error) =>
    fail(label, `${err.message}: see ${DOCKERD_LOG}`),
  );
  ok(label, `${info.version} (API ${info.apiVersion}) at ${info.endpoint}, up in ${formatSeconds(Date.now() - started)}`);
  return info;
}
