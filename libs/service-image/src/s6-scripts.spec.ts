import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { s6TreeFiles } from '../../basebox/src/s6-tree';
import { defaultServiceFiles } from './s6-services';
import type { ServiceSpec } from './service-spec';

// The generated s6 scripts, run with /bin/sh in a folder of their own: the
// scan dir and the rendered files are in it, and the s6 programs and
// consul-template they call are stubs on PATH that write down their
// arguments. The e2e tests run the same scripts under the real s6.

const STUBS = {
  // Stands for the app: s6-setuidgid would exec it.
  's6-setuidgid': '',
  's6-svscanctl': '',
  's6-svc': '',
  // No pid to ask the kernel about: on-change goes straight to s6-svc.
  's6-svstat': '',
  // The app user exists only in the image.
  chown: '',
  'consul-template': '',
  // s6-permafailon's contract: 125 when the death tally matches, else it execs the rest.
  's6-permafailon': '[ -n "$STUB_TALLY_FULL" ] && exit 125\nshift 3\nexec "$@"\n',
};

interface Sandbox {
  root: string;
  scanDir: string;
  spec: ServiceSpec;
  /** The generated script at `path` under the scan dir (app/run, .s6-svscan/finish, ...). */
  script(path: string): string;
  /** The arguments of each call of a stub, one string per call. */
  calls(stub: keyof typeof STUBS): string[];
  exitCode(): string | undefined;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

function sandbox(over: Partial<ServiceSpec> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 's6-scripts-'));
  const scanDir = join(root, 's6');
  const bin = join(root, 'bin');
  const log = join(root, 'calls');
  const spec: ServiceSpec = {
    name: 'greeter',
    binary: '/dist/greeter',
    templates: [
      { source: 'templates/greeter.json.tmpl', destination: join(root, 'rendered/greeter.json'), reload: 'reload' },
      { source: 'templates/tls.pem.tmpl', destination: join(root, 'rendered/tls.pem'), reload: 'restart' },
    ],
    giveUpCode: 78,
    configWaitSeconds: 30,
    ports: [],
    env: {},
    files: [],
    ...over,
  };
  mkdirSync(join(root, 'srv'));
  const files = [
    ...defaultServiceFiles(spec, scanDir, { runDir: join(root, 'run'), workDir: join(root, 'srv') }).map((f) => ({ path: join(scanDir, f.path), content: String(f.content) })),
    ...s6TreeFiles(scanDir)
      .filter((f) => f.path.startsWith('/etc/s6/'))
      .map((f) => ({ path: join(scanDir, f.path.slice('/etc/s6/'.length)), content: f.content })),
    ...Object.entries(STUBS).map(([name, body]) => ({ path: join(bin, name), content: `#!/bin/sh\necho "$*" >> "${log}/${name}"\n${body}` })),
  ];
  mkdirSync(log);
  mkdirSync(join(root, 'rendered'));
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content);
    chmodSync(f.path, 0o755);
  }
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  return {
    root,
    scanDir,
    spec,
    script: (path) => join(scanDir, path),
    calls: (stub) => read(join(log, stub))?.trimEnd().split('\n') ?? [],
    exitCode: () => read(join(scanDir, '.s6-svscan/exit-code')),
    env: (extra = {}) => ({ PATH: `${bin}:/usr/bin:/bin`, ...extra }),
  };
}

let box: Sandbox;
let running: ChildProcess | undefined;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
  rmSync(box.root, { recursive: true, force: true });
});

/** Runs a script to its end, as s6-supervise would: from its service dir, with `args`. */
function run(path: string, args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync('/bin/sh', [box.script(path), ...args], { cwd: dirname(box.script(path)), env: box.env(env), encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Starts a script that waits (app/run before the render); its output so far is in `out()`. */
function start(path: string, env: Record<string, string> = {}) {
  const child = spawn('/bin/sh', [box.script(path)], { cwd: dirname(box.script(path)), env: box.env(env) });
  running = child;
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

const said = (p: { out: () => string }, text: string) => vi.waitFor(() => expect(p.out()).toContain(text), { timeout: 5_000, interval: 10 });

const render = (n = box.spec.templates.length) => box.spec.templates.slice(0, n).forEach((t) => writeFileSync(t.destination, '{"greeting":"Hi"}'));

describe('app/run', () => {
  it('starts the app as the app user at once when every file is rendered', () => {
    render();
    const { status, out } = run('app/run');
    expect(status).toBe(0);
    expect(out).not.toContain('waiting');
    expect(out).toContain('app: starting /usr/local/bin/greeter as app');
    expect(box.calls('s6-setuidgid')).toEqual(['app /usr/local/bin/greeter']);
  });

  it.each([
    { wait: undefined, seconds: 30 },
    { wait: '30s', seconds: 30 },
    { wait: '2m', seconds: 120 },
  ])('with CONFIG_WAIT=$wait waits at most $seconds s for each file in turn, through a SIGHUP, then starts the app', async ({ wait, seconds }) => {
    const [first, second] = box.spec.templates.map((t) => t.destination);
    const p = start('app/run', wait ? { CONFIG_WAIT: wait } : {});
    await said(p, `waiting for consul-template to render ${first} (at most ${seconds}s)`);
    // consul-template's first render sends SIGHUP before the app runs: it must not end the wait.
    p.child.kill('SIGHUP');
    render(1);
    await said(p, `waiting for consul-template to render ${second} (at most ${seconds}s)`);
    expect(box.calls('s6-setuidgid')).toEqual([]);
    render();
    expect(await p.exited).toBe(0);
    expect(box.calls('s6-setuidgid')).toEqual(['app /usr/local/bin/greeter']);
    expect(box.exitCode()).toBeUndefined();
  });

  it('an empty file is not a render', async () => {
    const [first] = box.spec.templates.map((t) => t.destination);
    writeFileSync(first!, '');
    const p = start('app/run');
    await said(p, `waiting for consul-template to render ${first}`);
    render();
    expect(await p.exited).toBe(0);
  });

  it('gives up with the give-up code when nothing is rendered within CONFIG_WAIT', async () => {
    const startedAt = Date.now();
    const p = start('app/run', { CONFIG_WAIT: '1s', CONSUL_HTTP_ADDR: 'consul:8500' });
    expect(await p.exited).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(p.out()).toContain(`app: no config at ${box.spec.templates[0]!.destination} after 1s`);
    expect(p.out()).toContain('is Consul at consul:8500 up');
    expect(box.exitCode()).toBe('78\n');
    expect(box.calls('s6-svscanctl')).toEqual([`-t ${box.scanDir}`]);
    expect(box.calls('s6-setuidgid')).toEqual([]);
  });

  it.each(['soon', '5h', '1.5m', '-3s', 'm', '10 s'])('gives up at once with CONFIG_WAIT=%j, naming it', (wait) => {
    render();
    const { out } = run('app/run', [], { CONFIG_WAIT: wait });
    expect(out).toContain(`app: CONFIG_WAIT=${wait} is not whole seconds or minutes (like 30s or 2m): giving up with exit code 78`);
    expect(box.exitCode()).toBe('78\n');
    expect(box.calls('s6-svscanctl')).toEqual([`-t ${box.scanDir}`]);
    expect(box.calls('s6-setuidgid')).toEqual([]);
  });
});

describe('app/finish', () => {
  const finish = (code: number, signal: number, tallyFull = false) => run('app/finish', [String(code), String(signal)], tallyFull ? { STUB_TALLY_FULL: '1' } : {});

  it.each([
    { what: 'a clean exit', code: 0, signal: 0, says: 'greeter exited with code 0' },
    { what: 'SIGTERM (docker stop)', code: 256, signal: 15, says: 'greeter ended by signal 15' },
  ])('$what is not a crash, whatever the tally holds: exit 0, no exit code, the tally not read', ({ code, signal, says }) => {
    const { status, out } = finish(code, signal, true);
    expect(status).toBe(0);
    expect(out).toContain(`app: ${says}`);
    expect(box.exitCode()).toBeUndefined();
    expect(box.calls('s6-permafailon')).toEqual([]);
    expect(box.calls('s6-svscanctl')).toEqual([]);
  });

  it('the give-up code stops the container with it at once, the tally not read', () => {
    const { out } = finish(78, 0);
    expect(out).toContain('app: exit code 78 means greeter gives up for good: stopping the container with 78');
    expect(box.exitCode()).toBe('78\n');
    expect(box.calls('s6-svscanctl')).toEqual([`-t ${box.scanDir}`]);
    expect(box.calls('s6-permafailon')).toEqual([]);
  });

  it('a crash asks s6-permafailon about 5 crashes within 30 s, and lets s6 start the app again when the tally is short of it', () => {
    const { status } = finish(1, 0);
    expect(status).toBe(0);
    expect(box.calls('s6-permafailon')).toEqual(['30 5 1-142,144-255 true']);
    expect(box.exitCode()).toBeUndefined();
    expect(box.calls('s6-svscanctl')).toEqual([]);
  });

  it.each([
    { what: 'exit 1', code: 1, signal: 0, out: 1 },
    { what: 'SIGKILL', code: 256, signal: 9, out: 137 },
    { what: 'SIGSEGV', code: 256, signal: 11, out: 139 },
  ])('a crash loop ending in $what stops the container with $out', ({ code, signal, out }) => {
    const r = finish(code, signal, true);
    expect(r.out).toContain(`app: greeter ended 5 times within 30s: a crash loop; stopping the container with ${out}`);
    expect(box.exitCode()).toBe(`${out}\n`);
    expect(box.calls('s6-svscanctl')).toEqual([`-t ${box.scanDir}`]);
  });

  it('counts as crashes every end s6-supervise tallies but a clean exit and SIGTERM (tallied as 128 + signal)', () => {
    run('app/finish', ['1', '0']);
    const statuses = box.calls('s6-permafailon')[0]!.split(' ')[2]!;
    const counted = new Set(
      statuses.split(',').flatMap((range) => {
        const [from, to = from] = range.split('-').map(Number) as [number, number?];
        return Array.from({ length: to! - from + 1 }, (_, i) => from + i);
      }),
    );
    expect(counted.has(0)).toBe(false);
    expect(counted.has(128 + 15)).toBe(false);
    for (const crash of [1, 2, 77, 79, 126, 127, 128 + 6, 128 + 9, 128 + 11, 255]) expect(counted.has(crash), String(crash)).toBe(true);
  });
});

describe('.s6-svscan/finish', () => {
  it('passes out the code a service wrote, 0 when none did, 111 for one that is not a number', () => {
    expect(run('.s6-svscan/finish').status).toBe(0);
    writeFileSync(join(box.scanDir, '.s6-svscan/exit-code'), '3\n');
    expect(run('.s6-svscan/finish').status).toBe(3);
    writeFileSync(join(box.scanDir, '.s6-svscan/exit-code'), 'oops');
    const garbage = run('.s6-svscan/finish');
    expect(garbage.status).toBe(111);
    expect(garbage.out).toContain('holds "oops", not a number: exiting 111');
  });

  it.each([
    { what: 'the give-up code', code: 78, signal: 0, exit: 78 },
    { what: 'a crash loop ended by SIGKILL', code: 256, signal: 9, exit: 137 },
  ])('exits with the code app/finish wrote for $what', ({ code, signal, exit }) => {
    run('app/finish', [String(code), String(signal)], { STUB_TALLY_FULL: '1' });
    expect(run('.s6-svscan/finish').status).toBe(exit);
  });
});

describe('consul-template', () => {
  it('run execs consul-template on the service config, stopping on SIGTERM, and names the Consul it renders from', () => {
    expect(run('consul-template/run').out).toContain('consul-template: rendering from Consul at 127.0.0.1:8500');
    const { status, out } = run('consul-template/run', [], { CONSUL_HTTP_ADDR: 'consul:8500' });
    expect(status).toBe(0);
    expect(out).toContain('consul-template: rendering from Consul at consul:8500');
    expect(box.calls('consul-template')).toEqual(Array(2).fill('-config /etc/consul-template/config.hcl -kill-signal=SIGTERM'));
  });

  it.each([
    { args: ['12', '0'], says: 'consul-template: stopped on SIGTERM' },
    { args: ['256', '9'], says: 'consul-template: ended by signal 9' },
    { args: ['1', '0'], says: 'consul-template: exited with code 1; s6 starts it again in a second' },
  ])('finish $args says "$says" and never ends the container', ({ args, says }) => {
    const { status, out } = run('consul-template/finish', args);
    expect(status).toBe(0);
    expect(out).toContain(says);
    expect(box.exitCode()).toBeUndefined();
    expect(box.calls('s6-svscanctl')).toEqual([]);
  });
});

describe('a service with no template', () => {
  beforeEach(() => {
    rmSync(box.root, { recursive: true, force: true });
    box = sandbox({ templates: [] });
  });

  it('has no consul-template service dir', () => {
    expect(existsSync(join(box.scanDir, 'consul-template'))).toBe(false);
    expect(readFileSync(box.script('app/run'), 'utf8')).not.toContain('CONFIG_WAIT');
  });

  it('app/run starts the app at once, in its working directory, with a HOME it owns', () => {
    const { status, out } = run('app/run', [], { HOME: '/root' });
    expect(status).toBe(0);
    expect(out).not.toContain('waiting');
    expect(out).toContain(`app: starting /usr/local/bin/greeter as app in ${box.root}/srv`);
    expect(box.calls('s6-setuidgid')).toEqual(['app /usr/local/bin/greeter']);
    expect(box.calls('chown')).toEqual([`app:app ${box.root}/run ${box.root}/run/home`]);
    expect(existsSync(join(box.root, 'run/home'))).toBe(true);
  });
});

describe('the app as s6-setuidgid starts it', () => {
  it('runs in its working directory with HOME in its run folder', () => {
    writeFileSync(join(box.root, 'bin/s6-setuidgid'), `#!/bin/sh\necho "cwd=$PWD home=$HOME"\n`);
    render();
    const { out } = run('app/run', [], { HOME: '/root' });
    expect(out).toContain(`cwd=${box.root}/srv home=${box.root}/run/home`);
  });
});

describe('consul-template/on-change', () => {
  const onChange = (i: number) => run('consul-template/on-change', [box.spec.templates[i]!.reload === 'reload' ? '-h' : '-r', String(i), box.spec.templates[i]!.destination]);

  it("sends nothing for a template's first render, which comes before the app starts, then the template's own action on each change", () => {
    const [reload, restart] = box.spec.templates;
    expect(onChange(0).out).toContain(`consul-template: rendered ${reload!.destination}; greeter reads it as it starts`);
    expect(onChange(1).out).toContain(`consul-template: rendered ${restart!.destination}; greeter reads it as it starts`);
    expect(box.calls('s6-svc')).toEqual([]);
    expect(onChange(0).status).toBe(0);
    expect(onChange(1).status).toBe(0);
    expect(box.calls('s6-svc')).toEqual([`-h ${box.scanDir}/app`, `-r ${box.scanDir}/app`]);
  });

  it('a file left from before the container started makes the first render a change: the app may have read the old file', () => {
    render(1);
    run('consul-template/run');
    onChange(0);
    onChange(1);
    expect(box.calls('s6-svc')).toEqual([`-h ${box.scanDir}/app`]);
  });

  it('a restarted consul-template marks nothing stale: the files are its own renders', () => {
    render();
    onChange(0);
    onChange(1);
    run('consul-template/run');
    expect(readdirSync(join(box.scanDir, 'consul-template')).filter((f) => f.startsWith('stale-'))).toEqual([]);
    expect(box.calls('s6-svc')).toEqual([]);
  });
});
