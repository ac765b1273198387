import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PART_NAMES, debianDockerfile } from './flavours/debian';
import { referenceDrift } from './reference';
import { EXIT_CODE_FILE, INIT, s6TreeFiles, SCAN_DIR } from './s6-tree';
import { userFiles } from './users';

const REFERENCE = join(__dirname, '..', '..', '..', 'docker', 'basebox');

describe('docker/basebox', () => {
  it('is what the library generates (run `nx run basebox:generate` after changing it)', () => {
    expect(referenceDrift(REFERENCE)).toEqual([]);
  });
});

describe('debian Dockerfile', () => {
  it('is FROM scratch, one COPY per part in order, with /init as entrypoint', () => {
    const text = debianDockerfile();
    expect(text).toMatch(/^FROM scratch$/m);
    expect(text.match(/^COPY .*$/gm)).toEqual(DEBIAN_PART_NAMES.map((p) => `COPY ${p}/ /`));
    expect(text).toMatch(/^ENTRYPOINT \["\/init"\]$/m);
  });
});

describe('s6 tree', () => {
  const files = Object.fromEntries(s6TreeFiles().map((f) => [f.path, f]));

  it('holds the entrypoint and the .s6-svscan scripts, executable', () => {
    expect(Object.keys(files).sort()).toEqual([INIT, '/etc/s6/.s6-svscan/SIGTERM', '/etc/s6/.s6-svscan/crash', '/etc/s6/.s6-svscan/finish'].sort());
    for (const file of Object.values(files)) {
      expect(file.mode).toBe(0o755);
      expect(file.content.startsWith('#!/bin/sh\n')).toBe(true);
      // Each is valid shell (sh -n parses without running).
      execFileSync('sh', ['-n'], { input: file.content });
    }
  });

  it('leaves s6-svscan as PID 1 on a scan folder under /run', () => {
    expect(files[INIT]!.content.trimEnd().split('\n').pop()).toBe(`exec s6-svscan ${SCAN_DIR}`);
  });

  it('takes the exit code from the exit-code file, 0 when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'finish-'));
    const codeFile = join(dir, 'exit-code');
    const finish = files['/etc/s6/.s6-svscan/finish']!.content.replaceAll(EXIT_CODE_FILE, codeFile);
    const exitCode = (content?: string) => {
      rmSync(codeFile, { force: true });
      if (content !== undefined) writeFileSync(codeFile, content);
      return spawnSync('sh', ['-c', finish], { stdio: 'ignore' }).status;
    };
    try {
      expect(exitCode()).toBe(0);
      expect(exitCode('3\n')).toBe(3);
      expect(exitCode('oops')).toBe(111);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('user files', () => {
  it('have root and the app user with its own group, and nsswitch reading files', () => {
    const byPath = Object.fromEntries(userFiles().map((f) => [f.path, f.content]));
    expect(byPath['/etc/passwd']).toContain('app:x:10001:10001:');
    expect(byPath['/etc/group']).toContain('app:x:10001:');
    expect(byPath['/etc/nsswitch.conf']).toMatch(/^passwd: files$/m);
    expect(byPath['/etc/nsswitch.conf']).toMatch(/^group: files$/m);
  });
});
