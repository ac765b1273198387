import type { Platform } from './descriptor';
import { platformName } from './descriptor';

/** What an image's config says, as data: every value is checked, none is spliced into text. */
export interface ConfigInput {
  platform: Platform;
  /** RFC 3339, the commit time. */
  created: string;
  env?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  user?: string;
  /** "8080/tcp", "53/udp" or "8080" (tcp). */
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The OCI image config (image-spec config.md), as much of it as microbox writes or keeps. */
export interface OciConfig {
  created?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, Record<string, never>>;
    Labels?: Record<string, string>;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const PORT = /^(\d{1,5})(\/(tcp|udp|sctp))?$/;

/**
 * The config of an image: base's config merged with the input (env merged by
 * key, labels merged, the rest replaced when given), the base's diff ids and
 * history first, then one history entry per new layer.
 */
export function buildConfig(input: ConfigInput, diffIds: { base: string[]; added: string[] }, history: { base: HistoryEntry[]; added: string[] }, base?: OciConfig): OciConfig {
  checkInput(input);
  if (base && platformName(basePlatform(base)) !== platformName(input.platform)) {
    throw new Error(`the base image is ${platformName(basePlatform(base))} but the image asked for is ${platformName(input.platform)}: use a base of that platform`);
  }
  if (history.added.length !== diffIds.added.length) {
    throw new Error(`${history.added.length} history lines were given for ${diffIds.added.length} new layers: give one created_by per new layer`);
  }
  const from = base?.config ?? {};
  const env = mergeEnv(from.Env ?? [], input.env ?? {});
  const labels = { ...from.Labels, ...input.labels };
  const ports = input.exposedPorts ? Object.fromEntries(input.exposedPorts.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) : from.ExposedPorts;
  const config: OciConfig['config'] = {
    Env: env.length ? env : undefined,
    Entrypoint: input.entrypoint ?? from.Entrypoint,
    Cmd: input.cmd ?? from.Cmd,
    WorkingDir: input.workingDir ?? from.WorkingDir,
    User: input.user ?? from.User,
    ExposedPorts: ports && Object.keys(ports).length ? ports : undefined,
    Labels: Object.keys(labels).length ? labels : undefined,
  };
  return {
    created: input.created,
    architecture: input.platform.architecture,
    os: input.platform.os,
    variant: input.platform.variant,
    config,
    rootfs: { type: 'layers', diff_ids: [...diffIds.base, ...diffIds.added] },
    history: [...history.base, ...history.added.map((line) => ({ created: input.created, created_by: line }))],
  };
}

export function basePlatform(config: OciConfig): Platform {
  return { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
}

/** Base's variables in their order, values replaced by key; new keys after them, sorted. */
function mergeEnv(base: string[], added: Record<string, string>): string[] {
  const merged = new Map<string, string>();
  for (const line of base) {
    const at = line.indexOf('=');
    merged.set(at < 0 ? line : line.slice(0, at), at < 0 ? '' : line.slice(at + 1));
  }
  for (const key of Object.keys(added).sort()) merged.set(key, added[key]);
  return [...merged].map(([key, value]) => `${key}=${value}`);
}

function checkInput(input: ConfigInput): void {
  const { platform } = input;
  for (const [name, value] of [['os', platform?.os], ['architecture', platform?.architecture]] as const) {
    if (typeof value !== 'string' || !/^[a-z0-9_]+$/.test(value)) {
      throw new Error(`platform ${name} "${String(value)}" is not valid: use a Go name such as "linux" or "amd64"`);
    }
  }
  if (platform.variant !== undefined && !/^[a-z0-9]+$/.test(platform.variant)) {
    throw new Error(`platform variant "${platform.variant}" is not valid: use a name such as "v7" or "v8"`);
  }
  if (typeof input.created !== 'string' || !RFC3339.test(input.created) || Number.isNaN(Date.parse(input.created))) {
    throw new Error(`created "${String(input.created)}" is not an RFC 3339 time: use the commit time, e.g. "2026-01-02T03:04:05Z"`);
  }
  for (const [key, value] of Object.entries(input.env ?? {})) {
    if (!key || key.includes('=') || key.includes('\0') || /\s/.test(key)) {
      throw new Error(`env name ${JSON.stringify(key)} is not valid: a name has no "=", whitespace or NUL`);
    }
    if (typeof value !== 'string' || value.includes('\0')) throw new Error(`env ${key}=${JSON.stringify(value)} is not valid: a value is a string without NUL`);
  }
  for (const port of input.exposedPorts ?? []) {
    const match = PORT.exec(port);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) {
      throw new Error(`exposed port "${port}" is not valid: use "8080/tcp", "53/udp" or "8080"`);
    }
  }
  for (const [name, list] of [['entrypoint', input.entrypoint], ['cmd', input.cmd]] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.some((arg) => typeof arg !== 'string' || arg.includes('\0')))) {
      throw new Error(`${name} ${JSON.stringify(list)} is not valid: give a list of strings without NUL`);
    }
  }
  for (const [key, value] of Object.entries(input.labels ?? {})) {
    if (!key || typeof value !== 'string') throw new Error(`label ${JSON.stringify(key)}=${JSON.stringify(value)} is not valid: labels map non-empty names to strings`);
  }
}
