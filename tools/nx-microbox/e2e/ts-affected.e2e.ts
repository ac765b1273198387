import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from './workspace-clone';
import { isolatedNxEnv } from './nx-env';

// `nx affected` sees the TypeScript that makes images (Nx's source analysis
// of TypeScript imports, and the edge from every project the plugin makes
// files for to the plugin), on a real git history: a temporary clone of this
// workspace's HEAD. Only the graph is asked (`nx show projects --affected`,
// `nx show target inputs`): nothing is built.

let base: string;
let dir: string;
let services: string[];
let goServices: string[];

const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
function nx(...args: string[]): string {
  const r = spawnSync(join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, env: isolatedNxEnv(dir), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
const projectsWith = (target: string) => (JSON.parse(nx('show', 'projects', '--with-target', target, '--json')) as string[]).filter((p) => p !== 'basebox').sort();

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'ts-affected-'));
  dir = join(base, 'ws');
  execFileSync('git', ['clone', '-q', MAIN, dir]);
  symlinkSync(join(MAIN, 'node_modules'), join(dir, 'node_modules'));
  services = projectsWith('image');
  goServices = projectsWith('go-build');
});
afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

/** Appends a line to a file (made if missing), commits it, and returns what Nx calls affected by that commit. */
function affectedBy(file: string, line: string): string[] {
  appendFileSync(join(dir, file), line);
  git('add', '-A');
  git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-q', '-m', `change ${file}`);
  return (JSON.parse(nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json')) as string[]).sort();
}

/** Which of `files` are inputs of a target, and which are not, as `nx show target inputs --check` says. */
function inputsOf(target: string, files: string[]): { inputs: string[]; not: string[] } {
  const r = spawnSync(join(dir, 'node_modules/.bin/nx'), ['show', 'target', 'inputs', target, '--check', ...files], { cwd: dir, env: isolatedNxEnv(dir), encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const section = (title: RegExp) => {
    const start = out.search(title);
    if (start < 0) return [];
    const rest = out.slice(start).split('\n').slice(1);
    const end = rest.findIndex((l) => !l.startsWith('  '));
    return (end < 0 ? rest : rest.slice(0, end)).map((l) => l.trim()).filter(Boolean);
  };
  return { inputs: section(/were inputs for/), not: section(/were not inputs for/) };
}

describe('nx affected follows the TypeScript that makes images, on a real git history', () => {
  it('finds the services this workspace builds images for', () => {
    expect(services).toEqual(expect.arrayContaining(['gateway', 'greeter']));
    expect(goServices).toEqual(expect.arrayContaining(services));
  });

  it('a change to the s6 script writer affects every service', () => {
    const affected = affectedBy('libs/service-image/src/s6-services.ts', '\n// the s6 scripts changed\n');
    expect(affected).toEqual(expect.arrayContaining(['service-image', 'nx-microbox', ...services]));
    // basebox imports nothing of service-image, but its layout is made by the
    // plugin, one project that also holds the service image executor: Nx
    // cannot tell the two apart, so basebox is listed (its build then finds
    // nothing changed).
    expect(affected).toContain('basebox');
    for (const untouched of ['image', 'gobuild', 'go-service', 'go-buildinfo']) expect(affected).not.toContain(untouched);
  });

  it('a change to the image library affects basebox and every service', () => {
    const src = join(dir, 'libs/image/src');
    const file = existsSync(join(src, 'context.ts')) ? 'context.ts' : readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).sort()[0];
    const affected = affectedBy(`libs/image/src/${file}`, '\n// the image library changed\n');
    expect(affected).toEqual(expect.arrayContaining(['image', 'nx-microbox', 'basebox', ...services]));
    for (const untouched of ['gobuild', 'go-service', 'go-buildinfo']) expect(affected).not.toContain(untouched);
  });

  it('a change to the Go build library affects every Go service, and no shared Go package', () => {
    const affected = affectedBy('libs/gobuild/src/build.ts', '\n// the Go build library changed\n');
    expect(affected).toEqual(expect.arrayContaining(['gobuild', 'nx-microbox', ...goServices]));
    for (const untouched of ['go-service', 'go-buildinfo']) expect(affected).not.toContain(untouched);
  });

  it('a README affects nothing at the root, and only its own project inside one', () => {
    expect(affectedBy('README.md', '\nmore words\n')).toEqual([]);
    expect(affectedBy(`apps/${services[0]}/README.md`, '\nmore words\n')).toEqual([services[0]]);
  });

  it("go-build's cache inputs hold the code that builds it, and no README or base image lock", () => {
    const svc = goServices[0];
    const { inputs, not } = inputsOf(`${svc}:go-build`, [
      `apps/${svc}/main.go`,
      'libs/gobuild/src/build.ts',
      'tools/nx-microbox/src/executors/go-build/executor.ts',
      'libs/gobuild/README.md',
      `apps/${svc}/README.md`,
      'libs/basebox/debian.lock.json',
    ]);
    expect(inputs.sort()).toEqual([`apps/${svc}/main.go`, 'libs/gobuild/src/build.ts', 'tools/nx-microbox/src/executors/go-build/executor.ts']);
    expect(not.sort()).toEqual([`apps/${svc}/README.md`, 'libs/basebox/debian.lock.json', 'libs/gobuild/README.md']);
  });
});
