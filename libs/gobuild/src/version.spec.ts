import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goInputPathspecs, versionFromGit } from './version';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
function commit(files: Record<string, string>, message: string, date: string) {
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(repo, p, '..'), { recursive: true });
    writeFileSync(join(repo, p), t);
  }
  git('add', '-A');
  execFileSync('git', ['commit', '-q', '-m', message], {
    cwd: repo,
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
  return git('rev-parse', 'HEAD');
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'version-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'test');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('versionFromGit', () => {
  it('stamps the last commit that touched the inputs, with its commit time, not later unrelated commits', () => {
    const first = commit({ 'go.mod': 'module x\n', 'apps/a/main.go': 'package main\n' }, 'a', '2024-05-06T07:08:09+02:00');
    commit({ 'apps/b/main.go': 'package main\n', 'apps/a/README.md': '# a\n', 'apps/a/e2e/x.e2e.ts': '' }, 'b', '2024-06-01T00:00:00Z');
    const stamp = versionFromGit(repo, goInputPathspecs(['apps/a']));
    expect(stamp).toEqual({ commit: first, commitTime: '2024-05-06T07:08:09+02:00', version: first.slice(0, 12), dirty: false });

    // Without paths: the repository's HEAD.
    expect(versionFromGit(repo).commit).toBe(git('rev-parse', 'HEAD'));
  });

  it('counts a change to a Go project it imports, and marks uncommitted input changes dirty (a README does not)', () => {
    commit({ 'go.mod': 'module x\n', 'apps/a/main.go': 'package main\n', 'libs/go/s/s.go': 'package s\n' }, 'a', '2024-05-06T07:08:09Z');
    const lib = commit({ 'libs/go/s/s.go': 'package s // changed\n' }, 'lib', '2024-07-01T00:00:00Z');
    expect(versionFromGit(repo, goInputPathspecs(['apps/a', 'libs/go/s'])).commit).toBe(lib);

    writeFileSync(join(repo, 'apps/a/README.md'), 'docs\n');
    expect(versionFromGit(repo, goInputPathspecs(['apps/a'])).dirty).toBe(false);
    writeFileSync(join(repo, 'apps/a/main.go'), 'package main // edited\n');
    const dirty = versionFromGit(repo, goInputPathspecs(['apps/a']));
    expect(dirty.dirty).toBe(true);
    expect(dirty.version).toMatch(/^[0-9a-f]{12}\+dirty$/);
    expect(versionFromGit(repo, goInputPathspecs(['apps/a']), '1.2.3').version).toBe('1.2.3');
  });

  it('says unknown outside git', () => {
    const plain = mkdtempSync(join(tmpdir(), 'nogit-'));
    try {
      expect(versionFromGit(plain, ['x'])).toEqual({ commit: 'unknown', commitTime: '', version: 'dev', dirty: false });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
