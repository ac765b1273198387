import { exitCodeFile, S6_TREE, SCAN_DIR } from '../../basebox/src/s6-tree';
import { APP_USER } from '../../basebox/src/users';
import type { ServiceSpec } from './service-spec';

/** A file of the service's s6 tree, relative to /etc/s6. */
export interface ServiceFile {
  path: string;
  content: string;
  mode: number;
}

export const APP_DIR = `${SCAN_DIR}/app`;
export const CONSUL_TEMPLATE_CONFIG = '/etc/consul-template/config.hcl';
export const TEMPLATES_DIR = '/etc/consul-template/templates';

export function binaryPath(spec: Pick<ServiceSpec, 'name'>): string {
  return `/usr/local/bin/${spec.name}`;
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

function appRun(spec: ServiceSpec, scanDir: string): string {
  const files = spec.templates.map((t) => t.destination).join(' ');
  return `#!/bin/sh
# Runs ${spec.name} as the non-root user "${APP_USER.name}" once consul-template has
# rendered its config, waiting for that first render at most CONFIG_WAIT (whole
# seconds or minutes: 30s, 2m; 0 waits for ever), default ${spec.configWaitSeconds}s.
exec 2>&1
# consul-template's first render also signals the app (s6-svc -h); until this
# script has become the app, that signal must not end it.
trap true HUP
${giveUp(scanDir)}

wait=\${CONFIG_WAIT:-${spec.configWaitSeconds}s}
case "$wait" in
  *m) wait=\${wait%m}; [ -n "\${wait##*[!0-9]*}" ] && wait=$(( wait * 60 )) ;;
  *s) wait=\${wait%s} ;;
esac
case "$wait" in
  ''|*[!0-9]*)
    echo "app: CONFIG_WAIT=$CONFIG_WAIT is not whole seconds or minutes (like 30s or 2m): giving up with exit code ${spec.giveUpCode}"
    give_up ${spec.giveUpCode} ;;
esac

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
echo "app: starting ${binaryPath(spec)} as ${APP_USER.name}"
exec s6-setuidgid ${APP_USER.name} ${binaryPath(spec)}
`;
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

function consulTemplateRun(): string {
  return `#!/bin/sh
# consul-template renders the service's config from Consul and tells the app
# of each change (see ${CONSUL_TEMPLATE_CONFIG}). SIGTERM must stop it: by
# default it ignores that signal.
exec 2>&1
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
 * The default s6 service dirs of a service image, relative to ${S6_TREE}.
 * `scanDir` is for tests that run the scripts in a folder of their own;
 * images always scan SCAN_DIR.
 */
export function defaultServiceFiles(spec: ServiceSpec, scanDir = SCAN_DIR): ServiceFile[] {
  return [
    { path: 'app/run', content: appRun(spec, scanDir), mode: 0o755 },
    { path: 'app/finish', content: appFinish(spec, scanDir), mode: 0o755 },
    { path: 'consul-template/run', content: consulTemplateRun(), mode: 0o755 },
    { path: 'consul-template/finish', content: consulTemplateFinish(), mode: 0o755 },
  ];
}

export { S6_TREE };
