import { existsSync } from 'node:fs';
import { $ } from 'zx';
import { goCandidates } from '../../../../libs/gobuild/src/go';
import { fail } from './report';

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

export interface GoToolchain {
  path: string;
  version: string;
}

export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<GoToolchain> {
  const seen: string[] = [];
  for (const path of goCandidates(env)) {
    if (!existsSync(path)) continue;
    const out = await $({ nothrow: true, quiet: true })`${path} env GOVERSION`;
    const version = out.stdout.trim();
    const parsed = parseGoVersion(version);
    if (out.exitCode === 0 && parsed && isAtLeast(parsed, MIN_GO)) return { path, version };
    seen.push(`${path} (${version || 'did not run'})`);
  }
  const found = seen.length ? `found only ${seen.join(', ')}` : 'no go on PATH or in /usr/local/go/bin';
  return fail('go', `Go ${MIN_GO.join('.')} or newer is needed, ${found}: install it from https://go.dev/dl/ and put it on PATH`);
}
