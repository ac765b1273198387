import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkGiveUpCode,
  checkServiceName,
  DEFAULT_CONFIG_WAIT_SECONDS,
  DEFAULT_GIVE_UP_CODE,
  defaultTemplate,
  type ReloadMode,
  type ServiceSpec,
  TEMPLATE_EXTENSION,
  TEMPLATE_FOLDER,
  type TemplateSpec,
} from './service-spec';
import { MAX_CONFIG_WAIT_SECONDS } from './run-time-checks';
import { checkS6Overrides } from './s6-overrides';
import { checkDestination } from './template-destination';

/** What a service may set about its image; everything has a default found from its folder. */
export interface ServiceImageSettings {
  templates?: { source: string; destination?: string; reload?: ReloadMode }[];
  giveUpCode?: number;
  configWaitSeconds?: number;
  /** The port (or ports) the service listens on: exposed, never set in its environment. */
  port?: number | number[];
  env?: Record<string, string>;
  /** Files and folders, relative to the service folder, shipped under its working directory. */
  files?: string[];
}

/** Every `consul/*.ctmpl` of the service, rendered to /run/<svc>/ and restarting the app on a change. */
export function discoverTemplates(name: string, serviceDir: string): TemplateSpec[] {
  const dir = join(serviceDir, TEMPLATE_FOLDER);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(TEMPLATE_EXTENSION))
    .sort()
    .map((f) => defaultTemplate(name, `${TEMPLATE_FOLDER}/${f}`));
}

/** A `files` entry as a plain path relative to the service folder (the folder itself is checked when it is read). */
function checkFileEntry(name: string, entry: unknown): string {
  const clean = typeof entry === 'string' ? entry.replace(/\/+$/, '') : '';
  if (!clean || clean.startsWith('/') || clean.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`files entry ${JSON.stringify(entry)} of ${name} is not a path inside the service folder: give it relative to apps/${name}, like "products.json" or "static"`);
  }
  return clean;
}

function checkPorts(name: string, port: number | number[] | undefined): number[] {
  const ports = port === undefined ? [] : Array.isArray(port) ? port : [port];
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`port ${p} of ${name} is not a TCP port: use 1 to 65535`);
  }
  return [...new Set(ports)];
}

export function resolveServiceSpec(name: string, serviceDir: string, binary: string, settings: ServiceImageSettings = {}): ServiceSpec {
  checkServiceName(name);
  const templates = settings.templates
    ? settings.templates.map((t) => {
        if (t.reload !== undefined && t.reload !== 'reload' && t.reload !== 'restart') {
          throw new Error(`template ${t.source}: reload "${t.reload}" is not a choice: use "reload" (s6-svc -h, SIGHUP) or "restart" (s6-svc -r)`);
        }
        return { ...defaultTemplate(name, t.source), ...(t.destination ? { destination: t.destination } : {}), ...(t.reload ? { reload: t.reload } : {}) };
      })
    : discoverTemplates(name, serviceDir);
  for (const t of templates) {
    if (!existsSync(join(serviceDir, t.source))) {
      throw new Error(`template ${t.source} of ${name} does not exist in ${serviceDir}: consul-template's templates are ${TEMPLATE_FOLDER}/<file>${TEMPLATE_EXTENSION} there, or list yours in the templates option`);
    }
    t.destination = checkDestination(name, t.source, t.destination);
  }
  const seen = new Set<string>();
  for (const t of templates) {
    const file = t.source.split('/').pop()!;
    if (seen.has(file)) throw new Error(`two templates of ${name} are named ${file}: give them different file names`);
    seen.add(file);
  }
  const configWaitSeconds = settings.configWaitSeconds ?? DEFAULT_CONFIG_WAIT_SECONDS;
  if (!Number.isInteger(configWaitSeconds) || configWaitSeconds < 1 || configWaitSeconds > MAX_CONFIG_WAIT_SECONDS) {
    throw new Error(`configWaitSeconds ${configWaitSeconds} of ${name} is not a whole number of seconds from 1 to ${MAX_CONFIG_WAIT_SECONDS} (a day)`);
  }
  checkS6Overrides(name, serviceDir);
  return {
    name,
    binary,
    templates,
    giveUpCode: checkGiveUpCode(settings.giveUpCode ?? DEFAULT_GIVE_UP_CODE),
    configWaitSeconds,
    ports: checkPorts(name, settings.port),
    env: settings.env ?? {},
    files: [...new Set((settings.files ?? []).map((f) => checkFileEntry(name, f)))],
  };
}
