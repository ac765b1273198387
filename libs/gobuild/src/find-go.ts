import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The oldest Go the workspace builds with (go.mod says `go 1.26`); the bootstrap and go-build accept the same. */
export const MIN_GO = [1, 26] as const;

/** Parses `go1.26.8` (or `go1.26`, `go1.27rc1`) into numbers. */
export function parseGoVersion(text: string): number[] | undefined {
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function isAtLeast(version: number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if ((version[i] ?? 0) !== min[i]) return (version[i] ?? 0) > min[i];
  }
  return true;
}

/** Where `go` may be: on PATH first, then the folders the official installers use. */
export function goCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'go'));
  return [...onPath, '/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go'), '/usr/lib/go/bin/go'];
}

export interface GoToolchain {
  path: string;
  /** As `go env GOVERSION` prints it, e.g. go1.26.8. */
  version: string;
}

/**
 * The first `go` among the candidates that runs and is MIN_GO or newer; an
 * older one earlier on PATH is passed over, and named when none fits.
 */
export function findGo(env: NodeJS.ProcessEnv = process.env): GoToolchain {
  const seen: string[] = [];
  for (const path of goCandidates(env)) {
    if (!existsSync(path)) continue;
    const out = spawnSync(path, ['env', 'GOVERSION'], { env, encoding: 'utf8' });
    const version = (out.stdout ?? '').trim();
    const parsed = parseGoVersion(version);
    if (out.status === 0 && parsed && isAtLeast(parsed, MIN_GO)) return { path, version };
    seen.push(`${path} (${version || 'did not run'})`);
  }
  const found = seen.length ? `found only ${seen.join(', ')}` : 'no go on PATH or in /usr/local/go/bin';
  throw new Error(`Go ${MIN_GO.join('.')} or newer is needed, ${found}: install it from https://go.dev/dl/ and put it on PATH`);
}
