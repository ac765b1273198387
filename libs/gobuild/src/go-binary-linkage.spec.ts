import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, NotElfError, readElfLinkage, readElfLinkageOfFile } from '../../elf/src/elf';
import { findGo } from './find-go';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'elf-'));
  writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.26\n');
  writeFileSync(join(dir, 'main.go'), 'package main\n\nimport "os"\n\nfunc main() { os.Exit(0) }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function goBuild(out: string, env: Record<string, string>) {
  execFileSync(findGo().path, ['build', '-trimpath', '-o', out, '.'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'pipe' });
  return join(dir, out);
}

describe('readElfLinkage', () => {
  it('finds no interpreter and no needed library in a CGO_ENABLED=0 Go binary, for amd64 and arm64', () => {
    const amd64 = readElfLinkageOfFile(goBuild('amd64', { CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64' }));
    expect(amd64).toEqual({ interpreter: undefined, needed: [], isStatic: true, machine: EM_X86_64, class: 64 });
    const arm64 = readElfLinkageOfFile(goBuild('arm64', { CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm64' }));
    expect(arm64).toMatchObject({ isStatic: true, machine: EM_AARCH64 });
  });

  it('finds PT_INTERP and DT_NEEDED in a dynamically linked program', () => {
    // The Node binary running this test is a dynamically linked C++ program.
    const node = readElfLinkageOfFile(process.execPath);
    expect(node.isStatic).toBe(false);
    expect(node.interpreter).toMatch(/^\/lib.*\/ld-linux.*\.so\.\d$/);
    expect(node.needed).toContain('libc.so.6');
  });

  it('refuses what is not ELF, or is cut short', () => {
    expect(() => readElfLinkage(Buffer.from('#!/bin/sh\necho hi\n'.repeat(10)))).toThrow(NotElfError);
    const head = Buffer.alloc(64);
    head.write('\x7fELF', 0, 'latin1');
    head[4] = 2;
    head[5] = 1;
    head.writeBigUInt64LE(10_000n, 32); // program headers beyond the end
    head.writeUInt16LE(56, 54);
    head.writeUInt16LE(1, 56);
    expect(() => readElfLinkage(head)).toThrow(/truncated/);
  });
});

