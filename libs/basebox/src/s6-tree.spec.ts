import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INIT, s6TreeFiles } from './s6-tree';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's6-init-'));
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('/init', () => {
  it('started as another user than root (docker run --user 1000): one line saying why, exit 126, nothing made', () => {
    const scanDir = join(dir, 's6');
    writeFileSync(join(dir, 'init'), s6TreeFiles(scanDir).find((f) => f.path === INIT)!.content);
    const r = spawnSync('setpriv', ['--reuid=1000', '--regid=1000', '--clear-groups', 'sh', join(dir, 'init')], { encoding: 'utf8' });
    expect(r.status).toBe(126);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('init: this image runs as root and drops each service to its own user; started as user 1000 it cannot supervise them: run it without --user\n');
    expect(existsSync(scanDir)).toBe(false);
  });
});

describe('.s6-svscan/SIGTERM (docker stop)', () => {
  /** The script over a scan dir with an `app` and a `consul-template` service, s6-svstat and s6-svscanctl stubs on PATH. */
  function stop(appPid: number, wrap: string[] = []) {
    const scanDir = join(dir, 's6');
    const bin = join(dir, 'bin');
    for (const svc of ['app', 'consul-template']) mkdirSync(join(scanDir, svc), { recursive: true });
    mkdirSync(bin);
    const stubs: Record<string, string> = {
      's6-svstat': `case "$3" in */app/) echo ${appPid} ;; *) echo -1 ;; esac\n`,
      's6-svscanctl': `echo "$*" > ${dir}/svscanctl\n`,
    };
    for (const [name, body] of Object.entries(stubs)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}`);
      chmodSync(join(bin, name), 0o755);
    }
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'SIGTERM'), s6TreeFiles(scanDir).find((f) => f.path.endsWith('/.s6-svscan/SIGTERM'))!.content);
    const [cmd, ...args] = [...wrap, 'sh', join(dir, 'SIGTERM')];
    const r = spawnSync(cmd!, args, { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
    return { status: r.status, stderr: r.stderr, svscanctl: existsSync(join(dir, 'svscanctl')) ? readFileSync(join(dir, 'svscanctl'), 'utf8') : '' };
  }

  it('stops every service as s6-svscanctl -t does, saying nothing when each can be signalled', () => {
    const app = spawn('sleep', ['30']);
    try {
      const r = stop(app.pid!);
      expect(r).toEqual({ status: 0, stderr: '', svscanctl: `-t ${join(dir, 's6')}\n` });
    } finally {
      app.kill('SIGKILL');
    }
  });

  it('names a service it may not signal (no CAP_KILL), then stops all the same', () => {
    const app = spawn('sleep', ['30']);
    try {
      // Not root, the app root's: the kernel refuses as it does root without CAP_KILL an app of another user.
      const r = stop(app.pid!, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      expect(r.stderr).toBe(`s6: cannot signal app (pid ${app.pid}) to stop: the container has no CAP_KILL, so docker stop will kill it only after its timeout; run it with --cap-add KILL\n`);
      expect(r.svscanctl).toBe(`-t ${join(dir, 's6')}\n`);
    } finally {
      app.kill('SIGKILL');
    }
  });
});
