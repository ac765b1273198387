import { basename } from 'node:path';

/** How consul-template tells the app a template changed: s6-svc -h (SIGHUP) or -r (restart). */
export type ReloadMode = 'reload' | 'restart';

export interface TemplateSpec {
  /** The template in the service's folder, relative to it. */
  source: string;
  /** Where consul-template writes it in the container: under /run, writable with a read-only root. */
  destination: string;
  reload: ReloadMode;
}

/** Everything the image of one service is made of, named by the service's folder and its options. */
export interface ServiceSpec {
  name: string;
  /** The static binary go-build made. */
  binary: string;
  templates: TemplateSpec[];
  /** Exit code with which the app says it gives up for good: the container then stops with it. */
  giveUpCode: number;
  /** How long app/run waits for consul-template's first render before giving up (seconds). */
  configWaitSeconds: number;
  port: number;
  env: Record<string, string>;
}

/** 78 is EX_CONFIG in sysexits.h: the config can never be had. */
export const DEFAULT_GIVE_UP_CODE = 78;
export const DEFAULT_CONFIG_WAIT_SECONDS = 30;
export const DEFAULT_PORT = 8080;

/** Where a service's rendered config goes: /run is a tmpfs when the root is read-only. */
export function configDir(service: string): string {
  return `/run/${service}`;
}

/** The default for a template found at `templates/<file>.tmpl`: rendered to /run/<svc>/<file>, reload on change. */
export function defaultTemplate(service: string, source: string): TemplateSpec {
  const file = basename(source).replace(/\.tmpl$/, '');
  return { source, destination: `${configDir(service)}/${file}`, reload: 'reload' };
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function checkServiceName(name: string): string {
  if (!NAME.test(name)) {
    throw new Error(
      `service name "${name}" is not usable as an image and user-facing name: use lower-case letters, digits and "-", starting with a letter (at most 63)`,
    );
  }
  return name;
}

export function checkGiveUpCode(code: number): number {
  if (!Number.isInteger(code) || code < 1 || code > 125) {
    throw new Error(`giveUpCode ${code} cannot be an exit code of its own: use an integer from 1 to 125 (126 and up mean "not run" or a signal)`);
  }
  return code;
}
