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
  /** The ports the service listens on, exposed in the image; none is set in its environment. */
  ports: number[];
  env: Record<string, string>;
  /** Files and folders of the service's folder shipped under its working directory, relative to both. */
  files: string[];
}

/** 78 is EX_CONFIG in sysexits.h: the config can never be had. */
export const DEFAULT_GIVE_UP_CODE = 78;
export const DEFAULT_CONFIG_WAIT_SECONDS = 30;
/** Where consul-template's templates are found by default: `consul/*.ctmpl`, a name no web service uses for its own. */
export const TEMPLATE_FOLDER = 'consul';
export const TEMPLATE_EXTENSION = '.ctmpl';

/** Where a service's rendered config goes: /run is a tmpfs when the root is read-only. */
export function configDir(service: string): string {
  return `/run/${service}`;
}

/** The app's working directory, where its files are shipped (like a Dockerfile's WORKDIR). */
export function workDir(service: string): string {
  return `/srv/${service}`;
}

/**
 * The default for a template at `consul/<file>.ctmpl`: rendered to
 * /run/<svc>/<file>, restarting the app on a change (an app that handles
 * SIGHUP chooses `reload`: Go's default for SIGHUP is to exit).
 */
export function defaultTemplate(service: string, source: string): TemplateSpec {
  const file = basename(source).replace(/\.c?tmpl$/, '');
  return { source, destination: `${configDir(service)}/${file}`, reload: 'restart' };
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
