import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { jsonErrorPosition } from './json-position';
import { authKey } from './reference';

/**
 * What a registry login gives: a user and password (Basic, or exchanged for
 * a bearer token), or an identity token (an OAuth2 refresh token that the
 * token service exchanges for access tokens).
 */
export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
  /** Where they came from, for messages: `auths in <path>` or `docker-credential-<name>`. Never a secret. */
  source: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** A credential helper may ask for a browser or a cloud's metadata server: long, but not for ever. */
const HELPER_TIMEOUT_MS = 60_000;

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: where `docker login` writes. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://host/v1/`, `http://host`, `host/` all name `host` (Docker Hub keeps its legacy URL key). */
function normalizeKey(key: string): string {
  if (key === 'https://index.docker.io/v1/') return key;
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

/** The config file, or undefined when there is none. Errors name the file and the position, never its text. */
async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Docker config ${path} cannot be read (${(err as NodeJS.ErrnoException).code}): fix its permissions, or point DOCKER_CONFIG at another folder`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const at = jsonErrorPosition(text);
    const where = at ? `at line ${at.line} column ${at.column}` : 'somewhere';
    throw new Error(`Docker config ${path} is not valid JSON (${where}): fix it, or point DOCKER_CONFIG at another folder`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`Docker config ${path} is not a JSON object: fix it, or point DOCKER_CONFIG at another folder`);
  }
  return parsed as DockerConfigFile;
}

/**
 * The credentials for a registry host, as the Docker CLI finds them:
 * `credHelpers[host]`, else `credsStore`, each run as
 * `docker-credential-<name> get`; else `auths[host]` (base64 `auth` of
 * user:password, username and password, or `identitytoken`). Undefined
 * means anonymous: no file, no entry, or a helper that has nothing for the
 * host. Errors are one line and never hold a secret or the file's text.
 */
export async function resolveCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const path = dockerConfigPath(env);
  const config = await readDockerConfig(path);
  if (!config) return undefined;
  const key = authKey(host);
  const helper = config.credHelpers?.[key] ?? config.credHelpers?.[host] ?? config.credsStore;
  if (helper) return runCredentialHelper(helper, key, env);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => normalizeKey(k) === key)?.[1];
  if (!entry) return undefined;
  const source = `auths["${key}"] in ${path}`;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error(`Docker config ${path}: auths["${key}"].auth is not base64 of user:password: run \`docker login ${host}\` again`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (entry.identitytoken) return { username: entry.username, identityToken: entry.identitytoken, source };
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source };
  return undefined;
}

/**
 * Runs `docker-credential-<name> get` with the server URL on stdin. Its
 * answer is `{"Username", "Secret"}`; a Username of `<token>` makes the
 * Secret an identity token. "credentials not found" is anonymous.
 */
export async function runCredentialHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const { code, stdout, stderr, spawnError } = await run(program, serverUrl, env);
  if (spawnError === 'ENOENT') {
    throw new Error(`credential helper ${program} (named in ${dockerConfigPath(env)} for ${serverUrl}) is not on PATH: install it, or remove it from credHelpers/credsStore there`);
  }
  if (spawnError) throw new Error(`credential helper ${program} could not be started (${spawnError}): check that it is executable`);
  if (code === null) throw new Error(`credential helper ${program} did not answer within ${HELPER_TIMEOUT_MS / 1000} s for ${serverUrl}`);
  if (code !== 0) {
    // Helpers print "credentials not found in native keychain" on stdout and exit 1 when they have nothing.
    if (/credentials not found/i.test(stdout) || /credentials not found/i.test(stderr)) return undefined;
    const said = firstLine(stderr) || firstLine(stdout);
    throw new Error(`credential helper ${program} failed for ${serverUrl} (exit ${code}${said ? `: ${said}` : ''}): run it by hand (echo ${serverUrl} | ${program} get) to see why, or log in again`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as typeof answer;
  } catch {
    throw new Error(`credential helper ${program} answered for ${serverUrl} with something that is not JSON: it must print {"Username": ..., "Secret": ...}`);
  }
  if (typeof answer?.Secret !== 'string' || answer.Secret === '') return undefined;
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const source = program;
  if (username === '<token>') return { identityToken: answer.Secret, source };
  return { username, password: answer.Secret, source };
}

/** A helper's first line of output, cut short: it is meant to say why, not to carry data. */
function firstLine(text: string): string {
  return text.trim().split('\n')[0]!.trim().slice(0, 200);
}

function run(program: string, input: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, spawnError: err.code ?? err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A helper that exits without reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
