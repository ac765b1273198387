import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../../libs/image/src/engine';
import { OWNER_LABEL } from '../../../libs/stack/src/containers';
import { Stack } from '../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../libs/stack/src/wait';
import { nxTasks } from './nx-tasks';
import { cloneWorkspace, guardDaemonTags, type WorkspaceClone } from './workspace-clone';

// microbox tried as an attacker and as a careless user would (issue 14): a
// pull request's project.json, templates, links and scripts, CI's settings,
// and the flags a hardened host runs containers with. Each case asserts the
// one clear line (or the safe outcome) and that nothing was left behind: no
// tag moved, no layout or record written, no lock, no container. One clone,
// built once; each case changes it, runs one target, and is undone.

const SERVICE = 'greeter';
const RECORD = `dist/images/${SERVICE}.json`;
const INDEX = `dist/images/${SERVICE}/index.json`;
const LOCK = `dist/images/${SERVICE}.lock`;

let ws: WorkspaceClone;
let engine: Engine;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;

const read = (path: string) => (existsSync(join(ws.dir, path)) ? readFileSync(join(ws.dir, path), 'utf8') : undefined);
const write = (path: string, text: string) => {
  mkdirSync(join(ws.dir, path, '..'), { recursive: true });
  writeFileSync(join(ws.dir, path), text);
};
const projectJson = (targets: Record<string, unknown>) => write(`apps/${SERVICE}/project.json`, JSON.stringify({ targets }, null, 2) + '\n');
const layoutOptions = (options: Record<string, unknown>) => projectJson({ layout: { options } });
const undo = () => {
  ws.git('checkout', '-q', '--', '.');
  ws.git('clean', '-fdq');
};
const head = () => ws.git('rev-parse', 'HEAD');

/** The images in the daemon under a tag this clone's HEAD would give (other work tags greeter:latest meanwhile). */
async function cloneTags(): Promise<string[]> {
  const ours = [`${SERVICE}:${head().slice(0, 12)}`, `${SERVICE}:${head().slice(0, 12)}-dirty`];
  const tags: string[] = [];
  for (const image of await engine.docker.listImages()) {
    for (const t of image.RepoTags ?? []) {
      if (ours.includes(t)) {
        tags.push(t);
        guard.built([image.Id]);
      }
    }
  }
  return tags.sort();
}

/** The image config the layout holds for the record's image. */
function imageConfig(): { config: { Env: string[]; Labels: Record<string, string> }; architecture: string } {
  const record = JSON.parse(read(RECORD)!) as { id: string };
  return JSON.parse(read(`dist/images/${SERVICE}/blobs/sha256/${record.id.slice('sha256:'.length)}`)!);
}

/**
 * Runs `nx run greeter:<target>` on a clone changed by the case, expects it
 * to fail saying `says`, and checks nothing was left: the record and the
 * layout's index as they were, no lock, no tag of the clone's commit.
 */
async function refused(target: string, says: RegExp, env: Record<string, string> = {}) {
  const before = { record: read(RECORD), index: read(INDEX), tags: await cloneTags() };
  Object.assign(ws.env, env);
  try {
    const { status, output } = ws.nxStatus('run', `${SERVICE}:${target}`, '--outputStyle=static');
    expect(status, output).not.toBe(0);
    expect(output).toMatch(says);
    return output;
  } finally {
    for (const k of Object.keys(env)) delete ws.env[k];
    expect(read(RECORD)).toBe(before.record);
    expect(read(INDEX)).toBe(before.index);
    expect(existsSync(join(ws.dir, LOCK))).toBe(false);
    expect(await cloneTags()).toEqual(before.tags);
    undo();
  }
}

function layout(...args: string[]) {
  const output = ws.nx('run', `${SERVICE}:layout`, '--outputStyle=static', ...args);
  return { output, tasks: nxTasks(output), record: JSON.parse(read(RECORD)!) as { tags: string[]; meta: Record<string, string> } };
}

beforeAll(async () => {
  engine = await connectEngine();
  ws = cloneWorkspace('hostile');
  guard = await guardDaemonTags(engine, [SERVICE], ws.ownTags);
  // The one full build: base layout, go-build, greeter's layout.
  ws.nx('run', `${SERVICE}:layout`, '--outputStyle=static');
}, 240_000);

afterAll(async () => {
  await guard?.restore();
  ws?.cleanup();
});

describe('host files', () => {
  it('a template that is a link to /etc/shadow: refused by name', async () => {
    symlinkSync('/etc/shadow', join(ws.dir, `apps/${SERVICE}/shadow.tmpl`));
    layoutOptions({ templates: [{ source: 'shadow.tmpl' }] });
    await refused('image', /shadow\.tmpl resolves to \/etc\/shadow, outside .*apps\/greeter/);
  });

  it('a template source of ../../../../etc/shadow in project.json: refused by name', async () => {
    layoutOptions({ templates: [{ source: '../../../../etc/shadow' }] });
    await refused('image', /\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow/);
  });
});

describe('options', () => {
  it.each([
    { what: 'a destination that climbs out of /run', templates: [{ source: 'h.tmpl', destination: '/run/../etc/passwd' }], says: /renders to "\/run\/\.\.\/etc\/passwd" \(\/etc\/passwd\), outside the folders it may write: render under \/run\/greeter\/ or \/tmp\// },
    { what: "a destination in s6's scan dir", templates: [{ source: 'h.tmpl', destination: '/run/s6/app/run' }], says: /renders to "\/run\/s6\/app\/run" .*outside the folders it may write/ },
    { what: 'a destination with a quote and a newline', templates: [{ source: 'h.tmpl', destination: '/run/greeter/a"\n}\ntemplate {' }], says: /holds a control character/ },
  ])('$what: refused, naming it', async ({ templates, says }) => {
    write(`apps/${SERVICE}/h.tmpl`, '{}\n');
    layoutOptions({ templates });
    await refused('image', says);
  });

  it('an unknown option (prot for port): Nx refuses it by name', async () => {
    layoutOptions({ prot: 8080 });
    await refused('image', /'prot' is not found in schema/);
  });

  it('an option of the wrong type (port "80"): refused by its schema', async () => {
    layoutOptions({ port: '80' });
    await refused('image', /port/);
  });

  it('configWaitSeconds of more than a day: refused by name', async () => {
    layoutOptions({ configWaitSeconds: 99999999999 });
    await refused('image', /configWaitSeconds 99999999999 of greeter is not a whole number of seconds from 1 to 86400/);
  });

  it.each(['finish', 'run'])('an s6 %s override without its run bit: refused with chmod +x', async (script) => {
    write(`apps/${SERVICE}/s6/app/${script}`, '#!/bin/sh\nexit 0\n');
    chmodSync(join(ws.dir, `apps/${SERVICE}/s6/app/${script}`), 0o644);
    await refused('image', new RegExp(`s6 script s6/app/${script} of greeter is not executable \\(mode 0644\\).*chmod \\+x .*apps/greeter/s6/app/${script}`));
  });

  it('env values with $ and newlines reach the image as data', () => {
    layoutOptions({ env: { GREETING_SUFFIX: '$HOME-${PORT}-x', MULTI: 'a\nRUN touch /pwned' } });
    layout();
    const { config } = imageConfig();
    expect(config.Env).toEqual(expect.arrayContaining(['GREETING_SUFFIX=$HOME-${PORT}-x', 'MULTI=a\nRUN touch /pwned']));
    undo();
  });
});

describe('a binary the image cannot run', () => {
  it('goos darwin (a Mach-O): refused by go-build as not a Linux ELF', async () => {
    projectJson({ 'go-build': { options: { goos: 'darwin' } } });
    await refused('image', /refusing greeter for darwin\/amd64: it is a Mach-O binary, not a Linux ELF; the primary binary is what the image runs: build it for linux/);
  }, 180_000);

  it('goarch arm64, on a base whose first platform is amd64: refused by name with the fix', async () => {
    projectJson({ 'go-build': { options: { goarch: 'arm64' } } });
    await refused('image', /greeter is built for linux\/arm64 \(go-build's goos\/goarch\) but its base .* is linux\/amd64 (only|first \(linux\/amd64, linux\/arm64\/v8\)): set goos linux and goarch amd64/);
  }, 180_000);
});

describe('credentials', () => {
  it("a git remote with user and token: neither in the source label nor in the build's output", () => {
    ws.git('remote', 'set-url', 'origin', 'https://ci-user:tok3n-s3cret@git.example.com/org/repo.git');
    const { output } = layout('--skip-nx-cache');
    expect(output).not.toContain('tok3n-s3cret');
    expect(output).not.toContain('ci-user');
    const { config } = imageConfig();
    expect(config.Labels['org.opencontainers.image.source']).toBe('https://git.example.com/org/repo.git');
    expect(JSON.stringify(config)).not.toContain('tok3n-s3cret');
    expect(read(RECORD)).not.toContain('tok3n-s3cret');
  });

  it('MICROBOX_REGISTRY=user:secret@host: refused naming the host, never the secret', async () => {
    const output = await refused('push', /MICROBOX_REGISTRY holds credentials before "@127\.0\.0\.1:5999" \(not shown\)/, { MICROBOX_REGISTRY: 'ci-user:pa55-s3cret@127.0.0.1:5999' });
    expect(output).not.toContain('pa55-s3cret');
  });
});

describe('tags that name one image', () => {
  it("committing sources built dirty rebuilds the binary with the clean stamp, and the image's tag and revision follow", () => {
    write(`apps/${SERVICE}/main.go`, `${read(`apps/${SERVICE}/main.go`)}\n// hostile-input: an uncommitted change\n`);
    const dirty = layout();
    const stampDirty = JSON.parse(read(`dist/apps/${SERVICE}/build.json`)!) as { version: string };
    expect(stampDirty.version).toMatch(/\+dirty$/);
    expect(dirty.record.tags).toContain(`${SERVICE}:${head().slice(0, 12)}-dirty`);

    ws.commit('hostile-input: the change committed');
    const clean = layout();
    expect(clean.tasks.get(`${SERVICE}:go-build`)?.cache, 'go-build restored from the cache').toBeUndefined();
    const stamp = JSON.parse(read(`dist/apps/${SERVICE}/build.json`)!) as { version: string; commit: string };
    expect(stamp).toMatchObject({ version: head().slice(0, 12), commit: head() });
    expect(clean.record.tags).toEqual([`${SERVICE}:latest`, `${SERVICE}:${head().slice(0, 12)}`]);
    expect(clean.record.meta.revision).toBe(head());
    expect(imageConfig().config.Labels['org.opencontainers.image.revision']).toBe(head());
  }, 120_000);

  it('an env change in project.json: -dirty until committed, then a tag of its own; never the old tag on a new image', () => {
    const before = layout().record;
    layoutOptions({ env: { HOSTILE: '1' } });
    const dirty = layout().record;
    expect(dirty.tags).toContain(`${SERVICE}:${head().slice(0, 12)}-dirty`);
    ws.commit('hostile-input: env');
    const committed = layout().record;
    expect(committed.tags).toContain(`${SERVICE}:${head().slice(0, 12)}`);
    expect(committed.tags).not.toEqual(before.tags);
    expect(committed.meta.revision).toBe(head());
  }, 120_000);
});

describe('half-made states', () => {
  it('a lock left by a build that died is taken over; the build completes and removes it', () => {
    write(LOCK, '999999\n');
    layout('--skip-nx-cache');
    expect(existsSync(join(ws.dir, LOCK))).toBe(false);
  });

  it('two builds of one service at once both complete, taking turns (go-build, then the layout): the record names the layout it goes with', async () => {
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(join(ws.dir, 'node_modules/.bin/nx'), ['run', `${SERVICE}:layout`, '--skip-nx-cache', '--outputStyle=static'], { cwd: ws.dir, env: ws.env });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const record = JSON.parse(read(RECORD)!) as { manifest: { digest: string }; index?: { digest: string } };
    const index = JSON.parse(read(INDEX)!) as { manifests: { digest: string }[] };
    expect(index.manifests.map((m) => m.digest)).toContain((record.index ?? record.manifest).digest);
    expect(existsSync(join(ws.dir, LOCK))).toBe(false);
    expect(existsSync(join(ws.dir, `dist/apps/${SERVICE}.lock`))).toBe(false);
  }, 180_000);
});

describe('run time', () => {
  let stack: Stack;
  let image: string;
  beforeAll(async () => {
    ws.nx('run', `${SERVICE}:image`, '--outputStyle=static');
    const record = JSON.parse(read(RECORD)!) as { id: string; tags: string[] };
    guard.built([record.id]);
    image = record.id;
    stack = await Stack.up('e2e-hostile');
    await stack.startConsul();
  }, 120_000);
  afterAll(async () => stack?.down());

  /** A container of the stack's owner (removed by down()) with host settings the stack's helper does not offer. */
  async function run(name: string, hostConfig: Record<string, unknown>, env: Record<string, string> = {}) {
    const container = await engine.docker.createContainer({
      Image: image,
      name: `${stack.owner}-${name}`,
      Labels: { [OWNER_LABEL]: stack.owner },
      Env: Object.entries({ CONSUL_HTTP_ADDR: 'consul:8500', ...env }).map(([k, v]) => `${k}=${v}`),
      HostConfig: { NetworkMode: stack.network, ReadonlyRootfs: true, Tmpfs: { '/run': 'rw,size=16m', '/tmp': 'rw,size=16m' }, ...hostConfig },
    });
    await container.start();
    return container;
  }
  const logs = async (c: Awaited<ReturnType<typeof run>>) => (await c.logs({ stdout: true, stderr: true })).toString('utf8');
  const exited = (c: Awaited<ReturnType<typeof run>>, timeoutMs: number) =>
    waitFor('container exit', async () => ((await c.inspect()).State.Running ? undefined : (await c.inspect()).State.ExitCode), { timeoutMs, intervalMs: 100 });

  it('--user 1000: one line from /init saying why, exit 126', async () => {
    const u = await engine.docker.createContainer({ Image: image, name: `${stack.owner}-user1000`, User: '1000', Labels: { [OWNER_LABEL]: stack.owner } });
    await u.start();
    expect((await exited(u, 10_000)).value).toBe(126);
    expect(await logs(u)).toContain('init: this image runs as root and drops each service to its own user; started as user 1000 it cannot supervise them: run it without --user');
  });

  it('CONFIG_WAIT=99999999999999999999999s: refused once with the give-up code, no flood', async () => {
    const c = await run('wait', {}, { CONFIG_WAIT: '99999999999999999999999s' });
    expect((await exited(c, 15_000)).value).toBe(78);
    const text = await logs(c);
    expect(text.match(/CONFIG_WAIT=/g)).toHaveLength(1);
    expect(text).toContain('app: CONFIG_WAIT=99999999999999999999999s is more than a day');
    expect(text).not.toMatch(/out of range|bad number/);
  });

  it('--cap-drop ALL with SETUID and SETGID: the missing CAP_KILL is said at start and when a change cannot reach the app; with the documented set a change arrives and docker stop is clean', async () => {
    const kv = stack.consulClient();
    await kv.kv.set('greeter/greeting', 'Hello');
    const hardened = await run('hardened', { CapDrop: ['ALL'], CapAdd: ['SETUID', 'SETGID'] }, { CONFIG_WAIT: '20s' });
    await waitFor('app started', async () => ((await logs(hardened)).includes('app: starting') ? true : undefined), { timeoutMs: 20_000 });
    expect(await logs(hardened)).toContain('app: this container has no CAP_KILL, so s6 (root) cannot signal greeter (user app)');
    await kv.kv.set('greeter/greeting', 'Changed');
    await waitFor('cannot signal line', async () => ((await logs(hardened)).includes('consul-template: cannot signal greeter') ? true : undefined), { timeoutMs: 10_000 });
    // docker stop: s6 cannot stop the app either; it says so, and Docker kills after its timeout.
    await hardened.stop({ t: 2 });
    expect((await hardened.inspect()).State.ExitCode).toBe(137);
    expect(await logs(hardened)).toMatch(/s6: cannot signal app \(pid \d+\) to stop: the container has no CAP_KILL, so docker stop will kill it only after its timeout; run it with --cap-add KILL/);

    // The set the README documents: a change reaches the app, and docker stop ends it at once with 0.
    const fixed = await run('kill', { CapDrop: ['ALL'], CapAdd: ['SETUID', 'SETGID', 'CHOWN', 'DAC_OVERRIDE', 'KILL'] }, { CONFIG_WAIT: '20s' });
    await waitFor('app started', async () => ((await logs(fixed)).includes('config loaded') ? true : undefined), { timeoutMs: 20_000 });
    expect(await logs(fixed)).not.toContain('CAP_KILL');
    const loads = async () => (await logs(fixed)).match(/config (re)?loaded/g)?.length ?? 0;
    const before = await loads();
    await kv.kv.set('greeter/greeting', 'Again');
    await waitFor('config loaded again', async () => ((await loads()) > before ? true : undefined), { timeoutMs: 10_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await logs(fixed)}`);
    });
    expect(await logs(fixed)).not.toMatch(/Operation not permitted|Permission denied|cannot signal/);
    const t0 = Date.now();
    await fixed.stop({ t: 10 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((await fixed.inspect()).State.ExitCode).toBe(0);
  }, 90_000);

  it('a Consul restarted with fresh data (its index gone backwards): a KV change reaches the app within seconds, not a minute', async () => {
    const greeting = async (url: string) => {
      const r = await httpGet(`${url}/greet?name=Ann`).catch(() => ({ status: 0, body: '' }));
      return r.status === 200 ? (JSON.parse(r.body) as { greeting: string }).greeting : undefined;
    };
    const kv = stack.consulClient().kv;
    // An index well above what a fresh Consul starts from.
    for (let i = 0; i < 40; i++) await kv.set('hostile/bump', String(i));
    await kv.set('greeter/greeting', 'Before');
    const app = await stack.startService(image, 'fresh-consul');
    await waitFor('first greeting', async () => ((await greeting(app.url!)) === 'Before, Ann!' ? true : undefined), { timeoutMs: 20_000 });
    await stack.consul!.container.remove({ force: true });
    await stack.startConsul();
    const putAt = Date.now();
    await stack.consulClient().kv.set('greeter/greeting', 'After');
    await waitFor('new greeting', async () => ((await greeting(app.url!)) === 'After, Ann!' ? true : undefined), { timeoutMs: 70_000, intervalMs: 50 });
    const ms = Date.now() - putAt;
    console.log(`hostile-input: a KV change after Consul came back with fresh data was served in ${ms} ms (block_query_wait 5s; 54-58 s with consul-template's default 60s)`);
    expect(ms).toBeLessThan(8_000);
  }, 120_000);
});
