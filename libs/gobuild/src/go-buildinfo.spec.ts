import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGo } from './find-go';
import { type GoBuildInfo, parseModuleInfo, readGoBuildInfo } from './go-buildinfo';

/** What `go version -m` prints for a binary, in the parser's shape: the oracle the parser is held to. */
function goVersionM(go: string, binary: string): GoBuildInfo {
  const out = execFileSync(go, ['version', '-m', binary], { encoding: 'utf8' });
  const [first, ...lines] = out.split('\n');
  const goVersion = first!.slice(first!.lastIndexOf(' ') + 1);
  return parseModuleInfo(goVersion, lines.map((l) => l.replace(/^\t/, '')).join('\n'), binary);
}

describe('readGoBuildInfo on a Go binary built here', () => {
  let dir: string;
  let go: string;
  let binary: string;
  beforeAll(() => {
    go = findGo().path;
    dir = mkdtempSync(join(tmpdir(), 'sbom-buildinfo-'));
    // A main module requiring a second module, replaced by a folder: dep and => lines, with no download.
    mkdirSync(join(dir, 'app', 'cmd', 'hello'), { recursive: true });
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'go.mod'), 'module example.com/lib\n\ngo 1.26\n');
    writeFileSync(join(dir, 'lib', 'lib.go'), 'package lib\n\nfunc Greeting() string { return "hello" }\n');
    writeFileSync(join(dir, 'app', 'go.mod'), 'module example.com/app\n\ngo 1.26\n\nrequire example.com/lib v1.2.3\n\nreplace example.com/lib v1.2.3 => ../lib\n');
    writeFileSync(join(dir, 'app', 'cmd', 'hello', 'main.go'), 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Greeting()) }\n');
    binary = join(dir, 'hello');
    execFileSync(go, ['build', '-trimpath', '-ldflags=-s -w', '-o', binary, './cmd/hello'], {
      cwd: join(dir, 'app'),
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOFLAGS: '-mod=mod', GOWORK: 'off' },
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what go version -m reads: Go version, main package and module, the replaced dependency, build settings', () => {
    const info = readGoBuildInfo(readFileSync(binary), binary);
    expect(info).toEqual(goVersionM(go, binary));
    expect(info.goVersion).toMatch(/^go1\.\d+/);
    expect(info.path).toBe('example.com/app/cmd/hello');
    expect(info.main).toEqual({ path: 'example.com/app', version: '(devel)' });
    expect(info.deps).toEqual([{ path: 'example.com/lib', version: 'v1.2.3', replacedBy: { path: '../lib', version: '(devel)' } }]);
    expect(info.settings).toContainEqual(['CGO_ENABLED', '0']);
    expect(info.settings).toContainEqual(['GOOS', 'linux']);
  });

  it('names a file that is not a Go binary, and one that is not ELF', () => {
    const notGo = readFileSync('/bin/sh');
    expect(() => readGoBuildInfo(notGo, '/bin/sh')).toThrow('/bin/sh has no .go.buildinfo section: it is not a Go binary (or its section headers were removed)');
    expect(() => readGoBuildInfo(Buffer.from('#!/bin/sh\n'), 'run.sh')).toThrow('run.sh is not an ELF binary: give a Go binary built for Linux');
  });
});

describe('parseModuleInfo', () => {
  it('keeps sums, a module replacement, and settings whose value holds = or tabs', () => {
    const text = ['path\tx.io/cmd/a', 'mod\tx.io\tv1.0.0\th1:main=', 'dep\ty.io\tv0.1.0\th1:y=', '=>\tz.io/fork\tv0.2.0\th1:z=', 'build\t-ldflags=-X a=b', ''].join('\n');
    expect(parseModuleInfo('go1.26.8', text, 'a')).toEqual({
      goVersion: 'go1.26.8',
      path: 'x.io/cmd/a',
      main: { path: 'x.io', version: 'v1.0.0', sum: 'h1:main=' },
      deps: [{ path: 'y.io', version: 'v0.1.0', sum: 'h1:y=', replacedBy: { path: 'z.io/fork', version: 'v0.2.0', sum: 'h1:z=' } }],
      settings: [['-ldflags', '-X a=b']],
    });
  });

  it('refuses module text without a main package', () => {
    expect(() => parseModuleInfo('go1.26.8', '', 'bin')).toThrow('bin has no main package or module in its Go build information: build it with module mode on (go build in a module)');
  });
});
