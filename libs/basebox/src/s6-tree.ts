/**
 * The s6 side of what every image promises at run time (s6-svscan as PID 1,
 * services supervised and restarted, a service able to end the container
 * with its own exit code): the skeleton under /etc/s6 and the entrypoint
 * that leaves s6-svscan as PID 1. Service images add their service dirs
 * (app, consul-template) beside `.s6-svscan`.
 */

/** Where the read-only tree lives in the image. */
export const S6_TREE = '/etc/s6';
/** The scan folder s6-svscan runs on, made at start (a tmpfs with --read-only). */
export const SCAN_DIR = '/run/s6';
/** A service that ends the container for good writes the exit code here before `s6-svscanctl -t`. */
export function exitCodeFile(scanDir: string): string {
  return `${scanDir}/.s6-svscan/exit-code`;
}
export const EXIT_CODE_FILE = exitCodeFile(SCAN_DIR);
/** The entrypoint. */
export const INIT = '/init';

export interface TreeFile {
  /** Absolute path in the image. */
  path: string;
  content: string;
  mode: number;
}

const init = (scanDir: string) => `#!/bin/sh
# Entrypoint of every microbox image: leaves s6-svscan as PID 1.
# s6 writes in its scan folder (.s6-svscan/lock and control, each service's
# supervise/ and event/), so it scans a folder made now under /run, which stays
# writable with a read-only root (--read-only --tmpfs /run). Docker mounts tmpfs
# noexec, so that folder holds links to the scripts in ${S6_TREE}, not copies.
set -e

# s6-svscan must run as root: each service's run script drops to its own
# user (s6-setuidgid). Started as another user (docker run --user), nothing
# could work; say why in one line rather than fail on the first mkdir.
if [ "$(id -u)" != 0 ]; then
  echo "init: this image runs as root and drops each service to its own user; started as user $(id -u) it cannot supervise them: run it without --user" >&2
  exit 126
fi

# mirror SRC DST: the directories of SRC made anew in DST, every file a link.
mirror() {
  mkdir -p "$2"
  for f in "$1"/* "$1"/.[!.]*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    if [ -d "$f" ] && [ ! -L "$f" ]; then
      mirror "$f" "$2/\${f##*/}"
    else
      ln -s "$f" "$2/\${f##*/}"
    fi
  done
}

# A restarted container keeps /run unless it is a tmpfs: start from nothing.
rm -rf ${scanDir}
mirror ${S6_TREE} ${scanDir}
exec s6-svscan ${scanDir}
`;

const finish = (codeFile: string) => `#!/bin/sh
# s6-svscan execs this once every service is down: its exit code is the
# container's. docker stop ends in 0; a service that ends the container for
# good first writes its code to ${codeFile}.
code=0
if [ -r ${codeFile} ]; then
  code=$(cat ${codeFile})
fi
case "$code" in
  ''|*[!0-9]*) echo "s6: ${codeFile} holds \\"$code\\", not a number: exiting 111" >&2; code=111 ;;
esac
exit "$code"
`;

const sigterm = (scanDir: string) => `#!/bin/sh
# s6-svscan runs this on SIGTERM (docker stop) in place of stopping at once.
# s6-supervise, as root, signals each service; to reach one running as
# another user it needs CAP_KILL, and without it the signal is dropped without
# a word and docker stop waits out its timeout and kills. Say so, then stop
# every service as s6-svscanctl -t does.
for dir in ${scanDir}/*/; do
  name=\${dir%/}
  name=\${name##*/}
  pid=$(s6-svstat -o pid "$dir" 2>/dev/null)
  if [ "\${pid:-0}" -gt 0 ] && ! said=$(kill -0 "$pid" 2>&1) && [ -z "\${said##*not permitted*}" ]; then
    echo "s6: cannot signal $name (pid $pid) to stop: the container has no CAP_KILL, so docker stop will kill it only after its timeout; run it with --cap-add KILL" >&2
  fi
done
exec s6-svscanctl -t ${scanDir}
`;

const crash = `#!/bin/sh
# s6-svscan execs this when it cannot go on (a system call failed): stop the
# container with an error so the orchestrator sees it and starts another.
echo "s6-svscan crashed: stopping the container" >&2
exit 111
`;

/**
 * The files of the s6 skeleton, same for every flavour (scripts find s6 on
 * PATH). `scanDir` is for tests that run the scripts in a folder of their
 * own; images always scan SCAN_DIR.
 */
export function s6TreeFiles(scanDir = SCAN_DIR): TreeFile[] {
  return [
    { path: INIT, content: init(scanDir), mode: 0o755 },
    { path: `${S6_TREE}/.s6-svscan/crash`, content: crash, mode: 0o755 },
    { path: `${S6_TREE}/.s6-svscan/finish`, content: finish(exitCodeFile(scanDir)), mode: 0o755 },
    { path: `${S6_TREE}/.s6-svscan/SIGTERM`, content: sigterm(scanDir), mode: 0o755 },
  ];
}
