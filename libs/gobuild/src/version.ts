import { runSync } from './go';

/** What a binary is stamped with: where it came from, never when it was built. */
export interface VersionStamp {
  /** Full commit hash of the last commit that touched the build's inputs, or "unknown" outside git. */
  commit: string;
  /** That commit's committer date, strict ISO 8601 (`%cI`), or "" outside git. */
  commitTime: string;
  /** The given version, or the commit's first 12 characters, "+dirty" when the inputs have uncommitted changes. */
  version: string;
  dirty: boolean;
}

/**
 * Stamps from git: `git log -1 --format=%H %cI -- <paths>` gives the last
 * commit that changed any of the build's inputs (the project, the Go projects
 * it imports, go.mod/go.sum), so a commit elsewhere in the repository does not
 * change the binary, and a rebuild of the same inputs gives the same bytes.
 * `git status --porcelain -- <paths>` tells a dirty tree.
 */
export function versionFromGit(cwd: string, paths: string[] = [], version?: string): VersionStamp {
  const spec = paths.length ? ['--', ...paths] : [];
  let log;
  try {
    log = runSync('git', ['log', '-1', '--format=%H %cI', ...spec], cwd);
  } catch {
    log = { code: 1, stdout: '', stderr: 'git not found' };
  }
  const [commit, commitTime] = log.code === 0 ? log.stdout.trim().split(' ') : [];
  if (!commit) {
    return { commit: 'unknown', commitTime: '', version: version ?? 'dev', dirty: false };
  }
  const status = runSync('git', ['status', '--porcelain', '--untracked-files=normal', ...spec], cwd);
  const dirty = status.code === 0 && status.stdout.trim() !== '';
  return {
    commit,
    commitTime,
    version: version ?? `${commit.slice(0, 12)}${dirty ? '+dirty' : ''}`,
    dirty,
  };
}

/**
 * Git pathspecs for the files a Go build reads from the given project folders:
 * everything in them but docs, TypeScript and end-to-end tests (the same set as
 * the `goSources` named input of the inferred targets), plus the module files.
 * A README edit therefore neither changes the stamp nor marks it dirty.
 */
export function goInputPathspecs(projectRoots: string[], moduleFiles = ['go.mod', 'go.sum', 'go.work', 'go.work.sum']): string[] {
  const specs: string[] = [];
  for (const root of projectRoots) {
    specs.push(
      root,
      `:(exclude,glob)${root}/**/*.md`,
      `:(exclude,glob)${root}/**/*.ts`,
      `:(exclude)${root}/e2e`,
      `:(exclude)${root}/project.json`,
    );
  }
  return [...specs, ...moduleFiles];
}

/**
 * Git pathspecs for what an image is made of, given its project folders
 * (the service, the projects it depends on: its Go packages, the base, the
 * code that makes images): everything in them but docs and tests (the
 * `production` inputs of its layout), plus the module files and the
 * workspace's shared TypeScript settings.
 */
export function imageInputPathspecs(projectRoots: string[]): string[] {
  const specs: string[] = [];
  for (const root of projectRoots) {
    specs.push(root, `:(exclude,glob)${root}/**/*.md`, `:(exclude,glob)${root}/**/*.spec.ts`, `:(exclude)${root}/e2e`);
  }
  return [...specs, 'go.mod', 'go.sum', 'go.work', 'go.work.sum', 'tsconfig.base.json', 'package-lock.json'];
}

/**
 * A shell command printing what a stamp over `pathspecs` depends on beyond
 * the files' contents: the last commit touching them and which of them are
 * uncommitted. As an Nx `runtime` input of a cached target it makes the
 * cache follow the stamp, so committing sources built dirty is a cache miss
 * and the rebuild stamps the clean commit. It may cover more paths than the
 * stamp does (a miss that rebuilds the same bytes), never fewer. About 30 ms.
 */
export function gitStateCommand(pathspecs: string[]): string {
  const quoted = pathspecs.map((p) => `'${p.replace(/'/g, `'\\''`)}'`).join(' ');
  return `git log -1 --format=%H -- ${quoted} 2>/dev/null; git status --porcelain --untracked-files=normal -- ${quoted} 2>/dev/null; true`;
}
