import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configWait, signalApp, warnWithoutKill } from './run-time-checks';

// The shell each function writes, run with /bin/sh, the s6 programs stubs on
// PATH that write down their arguments; under setpriv where a capability or
// a user must differ, as in a container started with --cap-drop.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-time-checks-'));
  // Readable by the other user some cases run as.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'bin'));
  for (const [name, body] of Object.entries({ 's6-svc': `echo "$*" >> ${dir}/s6-svc\n`, 's6-svstat': 'echo "$STUB_PID"\n' })) {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\n${body}`);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sh(script: string, env: Record<string, string> = {}, wrap: string[] = []) {
  const file = join(dir, 'script');
  writeFileSync(file, script);
  const [cmd, ...args] = [...wrap, '/bin/sh', file];
  const r = spawnSync(cmd!, args, { env: { PATH: `${dir}/bin:/usr/bin:/bin`, ...env }, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

const waitScript = `give_up() { echo "gave up with $1"; exit 0; }\n${configWait({ configWaitSeconds: 30, giveUpCode: 78 })}\necho "wait=$wait"\n`;

describe('CONFIG_WAIT', () => {
  it.each([
    [undefined, '30'],
    ['45s', '45'],
    ['45', '45'],
    ['2m', '120'],
    ['0', '0'],
    ['0s', '0'],
    ['010s', '10'],
    ['08m', '480'],
    ['86400s', '86400'],
    ['1440m', '86400'],
  ])('%j waits %s s', (value, seconds) => {
    const { out } = sh(waitScript, value === undefined ? {} : { CONFIG_WAIT: value });
    expect(out).toBe(`wait=${seconds}\n`);
  });

  it.each(['99999999999999999999999s', '86401s', '1441m', '99999999m', '00000000000000000000000000000099999999999s'])('%j is more than a day: refused once with the give-up code', (value) => {
    const { out } = sh(waitScript, { CONFIG_WAIT: value });
    expect(out).toBe(`app: CONFIG_WAIT=${value} is more than a day: use at most 86400s (1440m), or 0 to wait for ever: giving up with exit code 78\ngave up with 78\n`);
  });

  it.each(['soon', '5h', '1.5m', '-3s', 'm', '10 s', ''])('%j is not a duration: refused once', (value) => {
    const { out } = sh(waitScript, { CONFIG_WAIT: value });
    // An empty CONFIG_WAIT is unset: the default.
    if (value === '') expect(out).toBe('wait=30\n');
    else expect(out).toContain(`app: CONFIG_WAIT=${value} is not whole seconds or minutes (like 30s or 2m): giving up with exit code 78`);
  });
});

describe('CAP_KILL', () => {
  const script = `${warnWithoutKill({ name: 'greeter' })}\necho started\n`;
  it('says nothing when the container has it', () => {
    expect(sh(script).out).toBe('started\n');
  });
  it('says once, at the start, when it has not', () => {
    expect(sh(script, {}, ['setpriv', '--bounding-set=-kill']).out).toBe(
      'app: this container has no CAP_KILL, so s6 (root) cannot signal greeter (user app): config changes will not reach it and docker stop will kill it only after its timeout; run it with --cap-add KILL\nstarted\n',
    );
  });
});

describe('signalling the app after a render', () => {
  const script = `${signalApp({ name: 'greeter' }, '/run/s6/app', '-h')}\necho done\n`;
  const calls = () => {
    try {
      return readFileSync(join(dir, 's6-svc'), 'utf8');
    } catch {
      return '';
    }
  };

  it('sends s6-svc -h when the app may be signalled, and when it is down', () => {
    const app = spawn('sleep', ['30']);
    try {
      expect(sh(script, { STUB_PID: String(app.pid) }).out).toBe('done\n');
      expect(sh(script, { STUB_PID: '-1' }).out).toBe('done\n');
      expect(calls()).toBe('-h /run/s6/app\n-h /run/s6/app\n');
    } finally {
      app.kill('SIGKILL');
    }
  });

  it('says so, and sends nothing, when it may not (another user, no CAP_KILL)', () => {
    const app = spawn('sleep', ['30']);
    try {
      const { status, out } = sh(script, { STUB_PID: String(app.pid) }, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      expect(status).toBe(0);
      expect(out).toBe(
        `consul-template: cannot signal greeter (pid ${app.pid}, user app) with s6-svc -h: the container has no CAP_KILL, so the new config does not reach it; run it with --cap-add KILL\ndone\n`,
      );
      expect(calls()).toBe('');
    } finally {
      app.kill('SIGKILL');
    }
  });
});
