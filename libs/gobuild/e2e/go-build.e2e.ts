import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goBuild, type GoBuildOptions } from '../src/build';
import { readElfLinkageOfFile } from '../../elf/src/elf';
import { writeFiles, writeGoFixture } from '../src/testing/go-fixture';

// Real Go toolchain, real git, real C compiler for the cgo case. Builds the
// fixture from a cold Go build cache of its own, so the times mean something.

let ws: string;
let gocache: string;
const timings: Record<string, string> = {};
const quiet = () => {};

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'gobuild-e2e-'));
  gocache = mkdtempSync(join(tmpdir(), 'gobuild-e2e-cache-'));
  writeGoFixture(ws, { withCgo: true });
  writeFiles(ws, {
    // The usual way cgo sneaks in: net and os/user use libc when cgo is on.
    'apps/netapp/main.go': 'package main\n\nimport (\n\t"fmt"\n\t"net"\n\t"os/user"\n)\n\nfunc main() {\n\tu, _ := user.Current()\n\taddrs, _ := net.LookupHost("localhost")\n\tfmt.Println(u, addrs)\n}\n',
  });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
  execFileSync('git', ['add', '-A'], { cwd: ws });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'fixture'], { cwd: ws });
});
afterAll(() => {
  console.log('go-build timings:', timings);
  rmSync(ws, { recursive: true, force: true });
  // The Go build cache marks its files read-only.
  execFileSync('chmod', ['-R', 'u+w', gocache]);
  rmSync(gocache, { recursive: true, force: true });
});

async function build(o: Partial<GoBuildOptions> & { main: string }, cache = gocache) {
  rmSync(join(ws, 'dist'), { recursive: true, force: true });
  const r = await goBuild({ workspaceRoot: ws, log: quiet, env: { GOCACHE: cache }, ...o });
  return r;
}

describe('go-build on a fixture service', () => {
  it('builds the same bytes twice from clean (cold and warm Go cache, and a second cold cache), static', async () => {
    const cold = await build({ main: 'apps/alpha' });
    expect(cold.error).toBeUndefined();
    const warm = await build({ main: 'apps/alpha' });
    const other = mkdtempSync(join(tmpdir(), 'gobuild-e2e-cache2-'));
    let again;
    try {
      again = await build({ main: 'apps/alpha' }, other);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', other]);
      rmSync(other, { recursive: true, force: true });
    }
    expect(warm.binaries[0].sha256).toBe(cold.binaries[0].sha256);
    expect(again.binaries[0].sha256).toBe(cold.binaries[0].sha256);
    expect(readElfLinkageOfFile(join(ws, 'dist/apps/alpha/alpha')).isStatic).toBe(true);
    timings['cold'] = `${cold.durationMs} ms`;
    timings['warm'] = `${warm.durationMs} ms`;
    timings['size'] = `${cold.binaries[0].size} B`;
  });

  it('gives the same result with the article\'s -a -installsuffix cgo, only slower', async () => {
    const plain = await build({ main: 'apps/alpha' });
    const article = await build({ main: 'apps/alpha', articleFlags: true });
    expect(article.success).toBe(true);
    expect(readElfLinkageOfFile(join(ws, 'dist/apps/alpha/alpha')).isStatic).toBe(true);
    timings['warm, article flags'] = `${article.durationMs} ms`;
    timings['size, article flags'] = `${article.binaries[0].size} B`;
    timings['same bytes with article flags'] = String(article.binaries[0].sha256 === plain.binaries[0].sha256);
    // -a rebuilds every package: never faster than a warm build.
    expect(article.durationMs).toBeGreaterThan(plain.durationMs);
  });

  it('refuses a cgo build of a service that imports a cgo package: names the package and the fix, leaves nothing in dist', async () => {
    const r = await build({ main: 'apps/cgoapp', cgo: true });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/refusing cgoapp for linux\/amd64: the binary is not static \(it needs program interpreter \/lib.*ld-linux.* and shared libraries libc\.so\.6\)/);
    expect(r.error).toContain('example.com/fixture/libs/go/native: cgo files native.go (imported via example.com/fixture/apps/cgoapp -> example.com/fixture/libs/go/native)');
    expect(r.error).toContain('Fix: remove the import of example.com/fixture/libs/go/native');
    expect(existsSync(join(ws, 'dist'))).toBe(false);
  });

  it('refuses a cgo build that links libc through net and os/user, and says cgo off is the fix', async () => {
    const r = await build({ main: 'apps/netapp', env: { GOCACHE: gocache, CGO_ENABLED: '1' } });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/not static/);
    expect(r.error).toMatch(/ - net: cgo files /);
    expect(r.error).toMatch(/ - os\/user: cgo files /);
    expect(r.error).toMatch(/Fix: build with cgo off/);
    expect(existsSync(join(ws, 'dist'))).toBe(false);

    // And the default (cgo off) build of the same service is static.
    const ok = await build({ main: 'apps/netapp' });
    expect(ok.success).toBe(true);
    expect(readdirSync(join(ws, 'dist/apps/netapp')).sort()).toEqual(['build.json', 'netapp']);
  });

  it('leaves no stale binary from an earlier good build when a later build is refused', async () => {
    expect((await goBuild({ workspaceRoot: ws, log: quiet, main: 'apps/gamma', env: { GOCACHE: gocache } })).success).toBe(true);
    const ok = await goBuild({ workspaceRoot: ws, log: quiet, main: 'apps/cgoapp', cgo: true, outputPath: 'dist/apps/x', ldflags: ['-linkmode', 'external', '-extldflags', '-static'], env: { GOCACHE: gocache } });
    // A cgo build linked statically is allowed.
    expect(ok.error).toBeUndefined();
    expect(readElfLinkageOfFile(join(ws, 'dist/apps/x/cgoapp')).isStatic).toBe(true);
    const refused = await goBuild({ workspaceRoot: ws, log: quiet, main: 'apps/cgoapp', cgo: true, outputPath: 'dist/apps/x', env: { GOCACHE: gocache } });
    expect(refused.success).toBe(false);
    expect(existsSync(join(ws, 'dist/apps/x'))).toBe(false);
    // Other services' outputs are not touched.
    expect(existsSync(join(ws, 'dist/apps/gamma/gamma'))).toBe(true);
  });
});
