import { APP_USER } from '../../basebox/src/users';
import type { ServiceSpec } from './service-spec';

/** The longest CONFIG_WAIT app/run takes (a day); 0 waits for ever. More is a typo, refused once. */
export const MAX_CONFIG_WAIT_SECONDS = 86400;

/**
 * Shell that reads CONFIG_WAIT into $wait, in seconds: whole seconds or
 * minutes, at most a day, default the spec's. Anything else gives up once
 * with the give-up code (`give_up` must be defined): a value the shell
 * cannot count (99999999999999999999999s) would otherwise fail every test of
 * the wait loop, a log line each time, for ever.
 */
export function configWait(spec: Pick<ServiceSpec, 'configWaitSeconds' | 'giveUpCode'>): string {
  const refuse = (why: string) => `echo "app: CONFIG_WAIT=$CONFIG_WAIT ${why}: giving up with exit code ${spec.giveUpCode}"
    give_up ${spec.giveUpCode}`;
  return `wait=\${CONFIG_WAIT:-${spec.configWaitSeconds}s}
unit=1
case "$wait" in
  *m) wait=\${wait%m}; unit=60 ;;
  *s) wait=\${wait%s} ;;
esac
case "$wait" in
  ''|*[!0-9]*)
    ${refuse('is not whole seconds or minutes (like 30s or 2m)')} ;;
esac
# Leading zeros would read as octal; more than seven digits is more than a day in any unit.
wait=\${wait#"\${wait%%[!0]*}"}
if [ \${#wait} -gt 7 ] || [ $(( \${wait:-0} * unit )) -gt ${MAX_CONFIG_WAIT_SECONDS} ]; then
  ${refuse(`is more than a day: use at most ${MAX_CONFIG_WAIT_SECONDS}s (1440m), or 0 to wait for ever`)}
fi
wait=$(( \${wait:-0} * unit ))`;
}

/**
 * Shell that says, once as the app starts, when the container has no
 * CAP_KILL (bit 5 of CapEff): s6-supervise runs as root and signals the
 * app, which runs as another user, and that takes CAP_KILL, which
 * `--cap-drop ALL` removes. Without it reloads and docker stop never reach
 * the app (stop then ends in SIGKILL after Docker's timeout), silently.
 */
export function warnWithoutKill(spec: Pick<ServiceSpec, 'name'>): string {
  return `while read -r key value; do [ "$key" = CapEff: ] && caps=$value; done < /proc/self/status
if [ -n "$caps" ] && [ $(( (0x$caps >> 5) & 1 )) -eq 0 ]; then
  echo "app: this container has no CAP_KILL, so s6 (root) cannot signal ${spec.name} (user ${APP_USER.name}): config changes will not reach it and docker stop will kill it only after its timeout; run it with --cap-add KILL"
fi`;
}

/**
 * Shell that sends s6-svc's `$flag` (-h: SIGHUP, -r: restart) to the app and
 * says when it cannot reach it. s6-supervise delivers the signal and drops
 * it without a word when root may not signal the app's user (no CAP_KILL),
 * so the kernel is asked first (kill -0); a failing s6-svc is said too.
 * Never fails: consul-template would stop on a failed command, and a
 * restarted one finds nothing new to tell.
 */
export function signalApp(spec: Pick<ServiceSpec, 'name'>, appDir: string, flag: string): string {
  return `pid=$(s6-svstat -o pid ${appDir} 2>/dev/null)
if [ "\${pid:-0}" -gt 0 ] && ! said=$(kill -0 "$pid" 2>&1) && [ -z "\${said##*not permitted*}" ]; then
  echo "consul-template: cannot signal ${spec.name} (pid $pid, user ${APP_USER.name}) with s6-svc ${flag}: the container has no CAP_KILL, so the new config does not reach it; run it with --cap-add KILL"
elif ! s6-svc ${flag} ${appDir}; then
  echo "consul-template: s6-svc ${flag} ${appDir} failed: ${spec.name} was not told of the new config"
fi`;
}
