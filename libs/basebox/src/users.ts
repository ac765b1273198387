import type { TreeFile } from './s6-tree';

/** The non-root user services run as (`s6-setuidgid app ...`). */
export const APP_USER = { name: 'app', uid: 10001, gid: 10001 } as const;

/**
 * /etc/passwd, /etc/group and /etc/nsswitch.conf for the debian flavour.
 * s6-setuidgid execs s6-envuidgid, which looks the user and its group up
 * through glibc; glibc reads nsswitch.conf to know to use the files (its
 * `files` backend is built into libc.so.6 since 2.34: no libnss_files).
 */
export function userFiles(): TreeFile[] {
  const { name, uid, gid } = APP_USER;
  return [
    {
      path: '/etc/passwd',
      content: `root:x:0:0:root:/root:/bin/sh\n${name}:x:${uid}:${gid}:${name}:/nonexistent:/bin/false\n`,
      mode: 0o644,
    },
    { path: '/etc/group', content: `root:x:0:\n${name}:x:${gid}:\n`, mode: 0o644 },
    { path: '/etc/nsswitch.conf', content: 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n', mode: 0o644 },
  ];
}
