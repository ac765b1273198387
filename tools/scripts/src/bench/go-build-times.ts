import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goBuild, type GoBuildResult } from '../../../../libs/gobuild/src/build';

export interface GoBuildTiming {
  label: string;
  seconds: number;
  bytes: number;
  sha256: string;
}

/**
 * go-build of one service three ways, in one run so the ratios hold on a
 * noisy machine: with an empty Go build cache (cold), again (warm), and warm
 * with the article's `-a -installsuffix cgo`. Module downloads are not
 * counted: the module cache is the machine's own.
 */
export async function goBuildTimes(workspaceRoot: string, main: string): Promise<GoBuildTiming[]> {
  const cache = mkdtempSync(join(tmpdir(), 'bench-gocache-'));
  const out = `dist/bench/${main}`;
  const run = async (label: string, articleFlags: boolean): Promise<GoBuildTiming> => {
    const result: GoBuildResult = await goBuild({ workspaceRoot, main, outputPath: out, articleFlags, env: { GOCACHE: cache }, log: () => {} });
    if (!result.success) throw new Error(`${label}: ${result.error}`);
    const [bin] = result.binaries;
    return { label, seconds: result.durationMs / 1000, bytes: bin.size, sha256: bin.sha256 };
  };
  try {
    return [await run('cold (empty Go build cache)', false), await run('warm', false), await run('warm, -a -installsuffix cgo', true)];
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(join(workspaceRoot, 'dist/bench'), { recursive: true, force: true });
  }
}
