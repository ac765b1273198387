import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArgs, buildLdflags, findModuleRoot, goBuild, packagePattern } from './build';
import { readElfLinkageOfFile } from '../../elf/src/elf';
import { buildinfoVars } from './stamp-vars';
import { writeFiles, writeGoFixture } from './testing/go-fixture';
import { OWN_MODULE_FIXTURE } from './testing/own-module-fixture';

let ws: string;
let head: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, encoding: 'utf8' }).trim();
const quiet = () => {};

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'gobuild-'));
  writeGoFixture(ws, { withCgo: true });
  writeFiles(ws, OWN_MODULE_FIXTURE);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'fixture'], {
    cwd: ws,
    env: { ...process.env, GIT_COMMITTER_DATE: '2025-02-03T04:05:06Z', GIT_AUTHOR_DATE: '2025-02-03T04:05:06Z' },
  });
  head = git('rev-parse', 'HEAD');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('build command', () => {
  it('assembles reproducible flags, with the article flags only on request', () => {
    const stamp = { version: 'v1', commit: 'abc', commitTime: '2025-01-01T00:00:00Z', dirty: false };
    const ldflags = buildLdflags(buildinfoVars('example.com/m/libs/go/buildinfo', stamp), ['-X main.extra=1']);
    expect(ldflags).toBe(
      '-s -w -buildid= -X example.com/m/libs/go/buildinfo.Version=v1 -X example.com/m/libs/go/buildinfo.Commit=abc ' +
        '-X example.com/m/libs/go/buildinfo.CommitTime=2025-01-01T00:00:00Z -X main.extra=1',
    );
    expect(buildArgs({ ldflags: '-s', out: 'o', pkg: './apps/a' })).toEqual(['build', '-trimpath', '-buildvcs=false', '-ldflags', '-s', '-o', 'o', './apps/a']);
    expect(buildArgs({ ldflags: '-s', out: 'o', pkg: '.', articleFlags: true, tags: ['netgo', 'osusergo'] })).toEqual([
      'build', '-trimpath', '-buildvcs=false', '-a', '-installsuffix', 'cgo', '-tags', 'netgo,osusergo', '-ldflags', '-s', '-o', 'o', '.',
    ]);
    expect(() => buildLdflags(buildinfoVars('p', { ...stamp, version: 'a b' }))).toThrow(/spaces/);
  });

  it('finds the module of a package folder, nested modules included', () => {
    expect(findModuleRoot(ws, 'apps/alpha')).toEqual({ dir: '', module: 'example.com/fixture' });
    expect(findModuleRoot(ws, 'libs/go/extlib')).toEqual({ dir: 'libs/go/extlib', module: 'example.com/extlib' });
    expect(packagePattern('', 'apps/alpha')).toBe('./apps/alpha');
    expect(packagePattern('libs/go/extlib', 'libs/go/extlib')).toBe('.');
  });
});

describe('goBuild', () => {
  it('writes a static binary per platform, the primary one under the stable name, stamped from git', async () => {
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/alpha', platforms: ['linux/arm64'], log: quiet });
    expect(r.error).toBeUndefined();
    expect(r.success).toBe(true);
    const out = join(ws, 'dist/apps/alpha');
    expect(readdirSync(out).sort()).toEqual(['alpha', 'alpha_linux_arm64', 'build.json']);
    expect(r.primary).toBe('dist/apps/alpha/alpha');
    for (const b of r.binaries) expect(readElfLinkageOfFile(join(ws, b.path)).isStatic).toBe(true);
    expect(readElfLinkageOfFile(join(out, 'alpha_linux_arm64')).machine).toBe(183);
    expect(statSync(join(out, 'alpha')).size).toBe(r.binaries[0].size);

    // The binary prints buildinfo: the stamp is the fixture's commit and its time.
    const printed = execFileSync(join(out, 'alpha'), { encoding: 'utf8' }).trim();
    expect(printed).toBe(`hello, alpha 42 ${head.slice(0, 12)} ${head} 2025-02-03T04:05:06+00:00`);

    const record = JSON.parse(readFileSync(join(out, 'build.json'), 'utf8'));
    expect(record).toMatchObject({ name: 'alpha', commit: head, commitTime: '2025-02-03T04:05:06+00:00', cgo: false, articleFlags: false });
    expect(record.binaries.map((b: { platform: string }) => b.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('builds a service whose import comes through a replace directive', async () => {
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/beta', log: quiet });
    expect(r.success).toBe(true);
    expect(execFileSync(join(ws, 'dist/apps/beta/beta'), { encoding: 'utf8' }).trim()).toBe('hello, beta extlib');
  });

  it('builds a service with its own go.mod in its module, stamping the main.version and main.commit it declares', async () => {
    const lines: string[] = [];
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/delta', log: (l) => lines.push(l) });
    expect(r.error).toBeUndefined();
    expect(lines[0]).toMatch(/^\(cd apps\/delta\) CGO_ENABLED=0 .*go build .* -X main\.version=\S+ -X main\.commit=\S+ .* \.$/);
    expect(lines[0]).not.toMatch(/main\.date|buildinfo/);
    expect(execFileSync(join(ws, 'dist/apps/delta/delta'), { encoding: 'utf8' }).trim()).toBe(`extlib ${head.slice(0, 12)} ${head}`);
    const record = JSON.parse(readFileSync(join(ws, 'dist/apps/delta/build.json'), 'utf8'));
    expect(record).toMatchObject({ version: head.slice(0, 12), commit: head, versionPackage: null, stamped: ['main.version', 'main.commit'] });
  });

  it('records the version of an own module that declares no stamp variable, and says the binary is not stamped', async () => {
    writeFiles(ws, { 'apps/delta/main.go': 'package main\n\nimport "example.com/extlib"\n\nfunc main() { println(extlib.Name()) }\n' });
    const lines: string[] = [];
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/delta', outputPath: 'dist/plain/delta', log: (l) => lines.push(l) });
    writeFiles(ws, OWN_MODULE_FIXTURE);
    expect(r.success).toBe(true);
    expect(lines).toContain('apps/delta declares no main.version, main.commit or main.date string variable: the binary is not stamped (build.json records ' + r.stamp!.version + ')');
    expect(r.stamp!.version).toBe(`${head.slice(0, 12)}+dirty`);
    expect(JSON.parse(readFileSync(join(ws, 'dist/plain/delta/build.json'), 'utf8')).stamped).toEqual([]);
  });

  it('names the cgo package when CGO_ENABLED=0 cannot compile it, and leaves nothing in dist', async () => {
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/cgoapp', outputPath: 'dist/cgo-only/cgoapp', log: quiet });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/build constraints exclude all Go files/);
    expect(r.error).toContain('example.com/fixture/libs/go/native: cgo files native.go (imported via example.com/fixture/apps/cgoapp -> example.com/fixture/libs/go/native)');
    expect(r.error).toMatch(/Fix: remove the import of example\.com\/fixture\/libs\/go\/native/);
    expect(existsSync(join(ws, 'dist/cgo-only'))).toBe(false);
  });

  it('builds the platforms at once, and when one fails says which and leaves no binary of the others', async () => {
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/alpha', outputPath: 'dist/half/alpha', platforms: ['linux/arm64', 'linux/nosucharch'], log: quiet });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/^go build of apps\/alpha for linux\/nosucharch failed \(exit \d+\):\n.*nosucharch/);
    expect(existsSync(join(ws, 'dist/half'))).toBe(false);
  });

  it('rejects a platform that is not os/arch before building anything', async () => {
    const r = await goBuild({ workspaceRoot: ws, main: 'apps/gamma', platforms: ['arm64'], log: quiet });
    expect(r).toMatchObject({ success: false });
    expect(r.error).toMatch(/os\/arch/);
  });
});
