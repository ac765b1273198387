import { exitCodeFile, S6_TREE, SCAN_DIR } from '../../basebox/src/s6-tree';
import { APP_USER } from '../../basebox/src/users';
import { configDir, type ServiceSpec, type TemplateSpec, workDir } from './service-spec';
import { configWait, signalApp, warnWithoutKill } from './run-time-checks';

/** A file of the service's s6 tree, relative to /etc/s6. */
export interface ServiceFile {
  path: string;
  /** Text for the generated scripts; bytes for a file the service brings. */
  content: string | Buffer;
  mode: number;
}

export const APP_DIR = `${SCAN_DIR}/app`;
export const CONSUL_TEMPLATE_CONFIG = '/etc/consul-template/config.hcl';
export const TEMPLATES_DIR = '/etc/consul-template/templates';

export function binaryPath(spec: Pick<ServiceSpec, 'name'>): string {
  return `/usr/local/bin/${spec.name}`;
}

/** Where the scripts find things; tests run them in folders of their own, images use the defaults. */
export interface ScriptPaths {
  /** The scan folder s6-svscan runs on. */
  scanDir: string;
  /** The service's writable folder under /run, with the app's HOME in it. */
  runDir: string;
  /** The app's working directory, holding its files. */
  workDir: string;
}

function scriptPaths(spec: ServiceSpec, paths: Partial<ScriptPaths>): ScriptPaths {
  return { scanDir: SCAN_DIR, runDir: configDir(spec.name), workDir: workDir(spec.name), ...paths };
}

/** The script consul-template runs after rendering a template: it tells the app, but not of a first render. */
export const ON_CHANGE = `${S6_TREE}/consul-template/on-change`;

/** consul-template's command for the template at `index` of the spec: ON_CHANGE, told the flag, the template and its file. */
export function changeCommand(template: TemplateSpec, index: number): string[] {
  return [ON_CHANGE, template.reload === 'reload' ? '-h' : '-r', String(index), template.destination];
}

/** Marks of each template's renders in this container's life: /init makes the scan folder anew at each start. */
function renderMarks(scanDir: string): string {
  return `${scanDir}/consul-template`;
}

/**
 * Run by consul-template, as root, after each render: $1 is s6-svc's -h
 * (SIGHUP, reload) or -r (restart), $2 the template's number, $3 its file.
 * A template's first render in the container's life comes before the app
 * starts (app/run waits for it), and the app reads it as it starts: no
 * signal, which an app still starting may not survive (Go's default for
 * SIGHUP is to exit). Unless the file was there before consul-template
 * started (a container restarted without a tmpfs /run): the app may have
 * read the old one, so that render is a change.
 */
function onChange(spec: ServiceSpec, scanDir: string): string {
  const marks = renderMarks(scanDir);
  return `#!/bin/sh
exec 2>&1
if [ ! -e ${marks}/rendered-$2 ]; then
  : > ${marks}/rendered-$2
  if [ ! -e ${marks}/stale-$2 ]; then
    echo "consul-template: rendered $3; ${spec.name} reads it as it starts"
    exit 0
  fi
fi
${signalApp(spec, `${scanDir}/app`, '$1')}
`;
}

/** Crash loop: this many unasked-for ends of the app within the window give up for good. */
const CRASH_LOOP = { ends: 5, seconds: 30 };
/**
 * The ends s6-permafailon counts as crashes. s6-supervise tallies an end by
 * a signal as 128 + its number, so this is every exit code but 0 and every
 * signal but SIGTERM (143), which docker stop and `s6-svc -r` send.
 */
const CRASH_STATUSES = '1-142,144-255';

function giveUp(scanDir: string): string {
  return `# Ends the container for good with code $1: .s6-svscan/finish passes it out.
give_up() {
  echo "$1" > ${exitCodeFile(scanDir)}
  exec s6-svscanctl -t ${scanDir}
}`;
}

/**
 * HOME for the app user, which cannot write /root: a folder of its own in
 * /run/<svc>, which it owns too (/run is a tmpfs with a read-only root).
 */
function writablePlaces(p: ScriptPaths): string {
  return `mkdir -p ${p.runDir}/home
chown ${APP_USER.name}:${APP_USER.name} ${p.runDir} ${p.runDir}/home
export HOME=${p.runDir}/home`;
}

function startApp(spec: ServiceSpec, p: ScriptPaths): string {
  return `${writablePlaces(p)}
${warnWithoutKill(spec)}
cd ${p.workDir} || give_up ${spec.giveUpCode}
echo "app: starting ${binaryPath(spec)} as ${APP_USER.name} in ${p.workDir}"
exec s6-setuidgid ${APP_USER.name} ${binaryPath(spec)}
`;
}

function appRunAtOnce(spec: ServiceSpec, p: ScriptPaths): string {
  return `#!/bin/sh
# Runs ${spec.name} as the non-root user "${APP_USER.name}" at once: it has no
# consul-template config to wait for.
exec 2>&1
${giveUp(p.scanDir)}

${startApp(spec, p)}`;
}

function appRun(spec: ServiceSpec, p: ScriptPaths): string {
  if (spec.templates.length === 0) return appRunAtOnce(spec, p);
  const scanDir = p.scanDir;
  const files = spec.templates.map((t) => t.destination).join(' ');
  return `#!/bin/sh
# Runs ${spec.name} as the non-root user "${APP_USER.name}" once consul-template has
# rendered its config, waiting for that first render at most CONFIG_WAIT (whole
# seconds or minutes: 30s, 2m; 0 waits for ever), default ${spec.configWaitSeconds}s.
exec 2>&1
# A change rendered while this script waits may signal it (s6-svc -h); until
# this script has become the app, that signal must not end it.
trap true HUP
${giveUp(scanDir)}

${configWait(spec)}

started=$(date +%s)
for file in ${files}; do
  said=
  until [ -s "$file" ]; do
    if [ "$wait" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$wait" ]; then
      echo "app: no config at $file after \${wait}s: consul-template has not rendered it (is Consul at \${CONSUL_HTTP_ADDR:-127.0.0.1:8500} up, is the template valid? see consul-template's lines); giving up with exit code ${spec.giveUpCode}"
      give_up ${spec.giveUpCode}
    fi
    if [ -z "$said" ]; then
      echo "app: waiting for consul-template to render $file (at most \${wait}s)"
      said=1
    fi
    sleep 0.05
  done
done
${startApp(spec, p)}`;
}

function appFinish(spec: ServiceSpec, scanDir: string): string {
  return `#!/bin/sh
# s6 runs this each time ${spec.name} ends: $1 is its exit code (256 when a
# signal ended it), $2 the signal. It brings the container down, with a
# non-zero code, when the app gives up (exit ${spec.giveUpCode}) or crash-loops
# (${CRASH_LOOP.ends} ends within ${CRASH_LOOP.seconds}s); otherwise s6 starts it again.
code=$1
signal=$2
${giveUp(scanDir)}

if [ "$code" -eq 256 ]; then
  echo "app: ${spec.name} ended by signal $signal"
else
  echo "app: ${spec.name} exited with code $code"
fi
if [ "$code" -eq ${spec.giveUpCode} ]; then
  echo "app: exit code ${spec.giveUpCode} means ${spec.name} gives up for good: stopping the container with ${spec.giveUpCode}"
  give_up ${spec.giveUpCode}
fi
# A clean exit, or SIGTERM (docker stop, s6-svc -r), is not a crash. Leaving
# here, before the tally is read and with no exit code written, is what makes
# docker stop end the container with 0 whatever ends came before it.
if [ "$code" -eq 0 ] || { [ "$code" -eq 256 ] && [ "$signal" -eq 15 ]; }; then
  exit 0
fi
# s6-supervise has added this end to its tally (supervise/death_tally) before
# running this script. s6-permafailon exits 125 when the tally holds
# ${CRASH_LOOP.ends} crashes within ${CRASH_LOOP.seconds}s, and runs true otherwise. Its 125 alone would
# only keep the app down in a container that stays up: give up instead.
s6-permafailon ${CRASH_LOOP.seconds} ${CRASH_LOOP.ends} ${CRASH_STATUSES} true
if [ $? -eq 125 ]; then
  [ "$code" -eq 256 ] && code=$(( 128 + signal ))
  echo "app: ${spec.name} ended ${CRASH_LOOP.ends} times within ${CRASH_LOOP.seconds}s: a crash loop; stopping the container with $code"
  give_up "$code"
fi
`;
}

function consulTemplateRun(spec: ServiceSpec, scanDir: string): string {
  const marks = renderMarks(scanDir);
  const stale = spec.templates.map((t, i) => `[ -s ${t.destination} ] && [ ! -e ${marks}/rendered-${i} ] && : > ${marks}/stale-${i}`);
  return `#!/bin/sh
# consul-template renders the service's config from Consul and tells the app
# of each change (see ${CONSUL_TEMPLATE_CONFIG}). SIGTERM must stop it: by
# default it ignores that signal.
exec 2>&1
# A file left from before this container started and not rendered since: the
# app may read it before consul-template renders it anew (see ${ON_CHANGE}).
${stale.join('\n')}
echo "consul-template: rendering from Consul at \${CONSUL_HTTP_ADDR:-127.0.0.1:8500}"
exec consul-template -config ${CONSUL_TEMPLATE_CONFIG} -kill-signal=SIGTERM
`;
}

function consulTemplateFinish(): string {
  return `#!/bin/sh
# $1 is consul-template's exit code (256 when a signal ended it), $2 the signal.
case "$1" in
  12) echo "consul-template: stopped on SIGTERM" ;;
  256) echo "consul-template: ended by signal $2" ;;
  *) echo "consul-template: exited with code $1; s6 starts it again in a second" ;;
esac
`;
}

/**
 * The default s6 service dirs of a service image, relative to ${S6_TREE}:
 * the app's, and consul-template's when the service has templates.
 * `scanDir` and `paths` are for tests that run the scripts in folders of
 * their own; images always use the defaults.
 */
export function defaultServiceFiles(spec: ServiceSpec, scanDir = SCAN_DIR, paths: Partial<Omit<ScriptPaths, 'scanDir'>> = {}): ServiceFile[] {
  const app: ServiceFile[] = [
    { path: 'app/run', content: appRun(spec, scriptPaths(spec, { ...paths, scanDir })), mode: 0o755 },
    { path: 'app/finish', content: appFinish(spec, scanDir), mode: 0o755 },
  ];
  if (spec.templates.length === 0) return app;
  return [
    ...app,
    { path: 'consul-template/run', content: consulTemplateRun(spec, scanDir), mode: 0o755 },
    { path: 'consul-template/finish', content: consulTemplateFinish(), mode: 0o755 },
    { path: ON_CHANGE.slice(S6_TREE.length + 1), content: onChange(spec, scanDir), mode: 0o755 },
  ];
}

export { S6_TREE };
