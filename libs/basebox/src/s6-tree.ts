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
export const EXIT_CODE_FILE = `${SCAN_DIR}/.s6-svscan/exit-code`;
/** The entrypoint. */
export const INIT = '/init';

export interface TreeFile {
  /** Absolute path in the image. */
  path: string;
  content: string;
  mode: number;
}

const init = `#!/bin/sh
# Entrypoint of every microbox image: leaves s6-svscan as PID 1.
# s6 writes in its scan folder (.s6-svscan/lock and control, each service's
# supervise/ and event/), so it scans a folder made now under /run, which stays
# writable with a read-only root (--read-only --tmpfs /run). Docker mounts tmpfs
# noexec, so that folder holds links to the scripts in ${S6_TREE}, not copies.
set -e

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
rm -rf ${SCAN_DIR}
mirror ${S6_TREE} ${SCAN_DIR}
exec s6-svscan ${SCAN_DIR}
`;

const finish = `#!/bin/sh
# s6-svscan execs this once every service is down: its exit code is the
# container's. docker stop ends in 0; a service that ends the container for
# good first writes its code to ${EXIT_CODE_FILE}.
code=0
if [ -r ${EXIT_CODE_FILE} ]; then
  code=$(cat ${EXIT_CODE_FILE})
fi
case "$code" in
  ''|*[!0-9]*) echo "s6: ${EXIT_CODE_FILE} holds \\"$code\\", not a number: exiting 111" >&2; code=111 ;;
esac
exit "$code"
`;

const crash = `#!/bin/sh
# s6-svscan execs this when it cannot go on (a system call failed): stop the
# container with an error so the orchestrator sees it and starts another.
echo "s6-svscan crashed: stopping the container" >&2
exit 111
`;

/** The files of the s6 skeleton, same for every flavour (scripts find s6 on PATH). */
export function s6TreeFiles(): TreeFile[] {
  return [
    { path: INIT, content: init, mode: 0o755 },
    { path: `${S6_TREE}/.s6-svscan/crash`, content: crash, mode: 0o755 },
    { path: `${S6_TREE}/.s6-svscan/finish`, content: finish, mode: 0o755 },
  ];
}
