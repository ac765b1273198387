import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, type ElfLinkage } from '../../elf/src/elf';
import { findGo } from '../../gobuild/src/find-go';
import type { GoBuildInfo } from '../../gobuild/src/go-buildinfo';
import { checkGoBinary, goBinaryProblems, type GoBinaryExpectation } from './go-binary-check';
import { consulTemplateFor } from './recipes';

const want: GoBinaryExpectation = { module: 'github.com/hashicorp/consul-template', version: 'v0.42.1', goos: 'linux', goarch: 'arm64', machine: EM_AARCH64 };
const info: GoBuildInfo = {
  goVersion: 'go1.26.8',
  path: 'github.com/hashicorp/consul-template',
  main: { path: 'github.com/hashicorp/consul-template', version: 'v0.42.1', sum: 'h1:x=' },
  deps: [],
  settings: [['-trimpath', 'true'], ['CGO_ENABLED', '0'], ['GOARCH', 'arm64'], ['GOOS', 'linux']],
};
const linkage: ElfLinkage = { needed: [], isStatic: true, machine: EM_AARCH64, class: 64 };

describe('goBinaryProblems', () => {
  it('finds none in the binary asked for', () => {
    expect(goBinaryProblems(info, linkage, want)).toEqual([]);
  });

  it('names every difference: version, architecture, cgo, machine, dynamic linkage', () => {
    const amd64Cgo: GoBuildInfo = {
      ...info,
      main: { path: info.main.path, version: 'v0.41.0' },
      settings: [['CGO_ENABLED', '1'], ['GOARCH', 'amd64'], ['GOOS', 'linux']],
    };
    const dynamic: ElfLinkage = { ...linkage, machine: EM_X86_64, isStatic: false, interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] };
    expect(goBinaryProblems(amd64Cgo, dynamic, want)).toEqual([
      'its version is v0.41.0, expected v0.42.1',
      'GOARCH is amd64, expected arm64',
      'CGO_ENABLED is 1, expected 0',
      `its ELF machine is ${EM_X86_64}, expected ${EM_AARCH64}`,
      'it is dynamically linked (/lib64/ld-linux-x86-64.so.2)',
    ]);
  });

  it('takes a setting missing from the build information for a problem', () => {
    expect(goBinaryProblems({ ...info, settings: [] }, linkage, want)).toEqual([
      'GOOS is not recorded, expected linux',
      'GOARCH is not recorded, expected arm64',
      'CGO_ENABLED is not recorded, expected 0',
    ]);
  });
});

describe('checkGoBinary on a Go binary cross-built here for linux/arm64', () => {
  let dir: string;
  let binary: string;
  let freebsd: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'go-binary-check-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'go.mod'), 'module example.com/hello\n\ngo 1.26\n');
    writeFileSync(join(dir, 'src', 'main.go'), 'package main\n\nfunc main() { println("hello") }\n');
    binary = join(dir, 'hello');
    const build = (out: string, goos: string, goarch: string) =>
      execFileSync(findGo().path, ['build', '-trimpath', '-ldflags=-s -w', '-o', out, '.'], {
        cwd: join(dir, 'src'),
        env: { ...process.env, CGO_ENABLED: '0', GOOS: goos, GOARCH: goarch, GOWORK: 'off' },
      });
    build(binary, 'linux', 'arm64');
    freebsd = join(dir, 'hello-freebsd');
    build(freebsd, 'freebsd', 'amd64');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const hello = { module: 'example.com/hello', version: '(devel)', goos: 'linux' };

  it('accepts it as a static aarch64 build of its module', async () => {
    await expect(checkGoBinary(binary, { ...hello, goarch: 'arm64', machine: EM_AARCH64 })).resolves.toBeUndefined();
  });

  it('refuses it as an amd64 build, in one line naming the binary and what differs', async () => {
    await expect(checkGoBinary(binary, { ...hello, goarch: 'amd64', machine: EM_X86_64 })).rejects.toThrow(
      `${binary} is not example.com/hello@(devel) for linux/amd64, static: GOARCH is arm64, expected amd64; its ELF machine is ${EM_AARCH64}, expected ${EM_X86_64}`,
    );
  });

  // The amd64 consul-template recipe's expectation, for this module: what the bootstrap asks of the amd64 slot.
  const amd64Slot = () => ({ ...consulTemplateFor('amd64').goBinary!, ...hello });

  it('is refused for the amd64 slot, in one line naming the architecture it has and the one wanted', async () => {
    await expect(checkGoBinary(binary, amd64Slot())).rejects.toThrow(
      new Error(`${binary} is not example.com/hello@(devel) for linux/amd64, static: GOARCH is arm64, expected amd64; its ELF machine is ${EM_AARCH64}, expected ${EM_X86_64}`),
    );
  });

  it('refuses an amd64 build for another system than Linux, in one line naming both', async () => {
    await expect(checkGoBinary(freebsd, amd64Slot())).rejects.toThrow(
      new Error(`${freebsd} is not example.com/hello@(devel) for linux/amd64, static: GOOS is freebsd, expected linux`),
    );
  });

  it('refuses a file that is not a Go binary', async () => {
    const script = join(dir, 'run.sh');
    writeFileSync(script, '#!/bin/sh\n');
    await expect(checkGoBinary(script, { ...hello, goarch: 'arm64', machine: EM_AARCH64 })).rejects.toThrow(`${script} is not an ELF binary`);
  });
});
