import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkGiveUpCode,
  checkServiceName,
  DEFAULT_CONFIG_WAIT_SECONDS,
  DEFAULT_GIVE_UP_CODE,
  DEFAULT_PORT,
  defaultTemplate,
  type ReloadMode,
  type ServiceSpec,
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
  port?: number;
  env?: Record<string, string>;
}

/** Every `templates/*.tmpl` of the service, rendered to /run/<svc>/ and reloading the app. */
export function discoverTemplates(name: string, serviceDir: string): TemplateSpec[] {
  const dir = join(serviceDir, 'templates');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tmpl'))
    .sort()
    .map((f) => defaultTemplate(name, `templates/${f}`));
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
  if (templates.length === 0) {
    throw new Error(`${name} has no config template: add ${join(serviceDir, 'templates')}/<file>.tmpl (consul-template renders it to /run/${name}/<file>)`);
  }
  for (const t of templates) {
    if (!existsSync(join(serviceDir, t.source))) throw new Error(`template ${t.source} of ${name} does not exist in ${serviceDir}`);
    t.destination = checkDestination(name, t.source, t.destination);
  }
  const seen = new Set<string>();
  for (const t of templates) {
    const file = t.source.split('/').pop()!;
    if (seen.has(file)) throw new Error(`two templates of ${name} are named ${file}: give them different file names`);
    seen.add(file);
  }
  const port = settings.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${port} of ${name} is not a TCP port: use 1 to 65535`);
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
    port,
    env: settings.env ?? {},
  };
}
