import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { authKey } from './reference';

/** What the daemon takes as X-Registry-Auth for a push. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: where `docker login` writes. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://host/v1/`, `http://host`, `host/` all name `host` (Docker Hub keeps its legacy URL key). */
function normalizeKey(key: string): string {
  if (key === 'https://index.docker.io/v1/') return key;
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

/**
 * The credentials Docker's config file holds for a registry host, or
 * undefined for an anonymous push. Only `auths` entries are read (the
 * base64 `auth` of `user:password`, or `identitytoken`): credential helpers
 * (`credsStore`, `credHelpers`) are not supported, and a registry whose
 * credentials are in one is refused by name rather than pushed to without.
 */
export function registryAuth(host: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const path = dockerConfigPath(env);
  if (!existsSync(path)) return undefined;
  let config: DockerConfigFile;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
  } catch (err) {
    throw new Error(`Docker config ${path} is not valid JSON (${(err as Error).message}): fix it, or point DOCKER_CONFIG at another folder`);
  }
  const key = authKey(host);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => normalizeKey(k) === key)?.[1];
  const serveraddress = key;
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error(`Docker config ${path}: auths["${key}"].auth is not base64 of user:password: run \`docker login ${host}\` again`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (entry?.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
  if (entry?.username && entry.password) return { username: entry.username, password: entry.password, serveraddress };
  // `docker login` with a credentials store leaves an empty auths entry for the host.
  const helper = config.credHelpers?.[key] ?? (entry ? config.credsStore : undefined);
  if (helper) {
    throw new Error(
      `Docker config ${path} keeps the credentials of ${host} in the credential helper "docker-credential-${helper}", which microbox does not support: put them in auths["${key}"].auth (base64 of user:password), e.g. with a DOCKER_CONFIG folder of its own for CI`,
    );
  }
  return undefined;
}
