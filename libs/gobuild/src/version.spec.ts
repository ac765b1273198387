import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitStateCommand, goInputPathspecs, imageInputPathspecs, versionFromGit } from './version';

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

describe('gitStateCommand', () => {
  const state = (specs: string[]) => execFileSync('sh', ['-c', gitStateCommand(specs)], { cwd: repo, encoding: 'utf8' });

  it('changes when a commit touches the paths or when they turn dirty or clean, not for other paths', () => {
    commit({ 'go.mod': 'module x\n', 'apps/a/main.go': 'package main\n', 'apps/b/main.go': 'package main\n' }, 'a', '2024-05-06T07:08:09Z');
    const specs = goInputPathspecs(['apps/a']);
    const clean = state(specs);
    commit({ 'apps/b/main.go': 'package main // b\n', 'apps/a/README.md': 'docs\n' }, 'b', '2024-05-07T00:00:00Z');
    expect(state(specs)).toBe(clean);
    writeFileSync(join(repo, 'apps/a/main.go'), 'package main // edited\n');
    const dirty = state(specs);
    expect(dirty).not.toBe(clean);
    commit({}, 'edited', '2024-05-08T00:00:00Z');
    const committed = state(specs);
    expect(committed).not.toBe(dirty);
    expect(committed).not.toBe(clean);
  });

  it("quotes every pathspec for the shell, and prints nothing outside git (the stamp is then 'unknown' whatever happens)", () => {
    expect(gitStateCommand(["it's"])).toContain(`'it'\\''s'`);
    const outside = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      expect(execFileSync('sh', ['-c', gitStateCommand(['a'])], { cwd: outside, encoding: 'utf8', env: { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() } })).toBe('');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('imageInputPathspecs', () => {
  it("counts the service's project.json and options, not its docs or tests", () => {
    commit({ 'go.mod': 'module x\n', 'apps/a/main.go': 'package main\n' }, 'a', '2024-05-06T07:08:09Z');
    const json = commit({ 'apps/a/project.json': '{"targets":{}}\n' }, 'project.json', '2024-05-07T00:00:00Z');
    commit({ 'apps/a/README.md': 'docs\n', 'apps/a/e2e/a.e2e.ts': '', 'libs/x/src/x.spec.ts': '' }, 'docs', '2024-05-08T00:00:00Z');
    expect(versionFromGit(repo, imageInputPathspecs(['apps/a', 'libs/x'])).commit).toBe(json);
    expect(versionFromGit(repo, goInputPathspecs(['apps/a'])).commit).not.toBe(json);
  });
});
