import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from '../../checksum/src/sha256';

/**
 * The tool cache lives outside the clone, keyed by name and version, so every
 * clone on a machine (CI's included) reuses what was built once.
 */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MICROBOX_TOOLS_DIR) return env.MICROBOX_TOOLS_DIR;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'microbox', 'tools');
}

export interface CachedTool {
  name: string;
  version: string;
  /** A platform (e.g. linux/arm64) whose build is kept in a folder of its own beside the version's. */
  platform?: string;
}

/** What is written beside a tool once it is whole; a tool without it was never finished. */
export interface ToolRecord extends CachedTool {
  sha256: string;
  size: number;
  buildSeconds: number;
}

export function toolDir(tool: CachedTool, dir = toolsDir()): string {
  return join(dir, tool.name, tool.platform ? `${tool.version}-${tool.platform.replaceAll('/', '-')}` : tool.version);
}

export function toolBinary(tool: CachedTool, dir = toolsDir()): string {
  return join(toolDir(tool, dir), 'bin', tool.name);
}

const RECORD = 'tool.json';

export type CacheState = { state: 'ready'; path: string; record: ToolRecord } | { state: 'missing' | 'broken'; reason: string };

/** Whether the cached tool is whole: its record exists and the binary still has the size and hash it was built with. */
export async function inspectCachedTool(tool: CachedTool, dir = toolsDir()): Promise<CacheState> {
  const recordPath = join(toolDir(tool, dir), RECORD);
  const path = toolBinary(tool, dir);
  if (!existsSync(recordPath)) {
    return existsSync(toolDir(tool, dir))
      ? { state: 'broken', reason: `${toolDir(tool, dir)} has no ${RECORD} (an unfinished build)` }
      : { state: 'missing', reason: 'not built yet' };
  }
  let record: ToolRecord;
  try {
    record = JSON.parse(await readFile(recordPath, 'utf8')) as ToolRecord;
  } catch {
    return { state: 'broken', reason: `${recordPath} is not valid JSON` };
  }
  if (!existsSync(path)) return { state: 'broken', reason: `${path} is missing` };
  const { size } = await stat(path);
  if (size !== record.size) {
    return { state: 'broken', reason: `${path} is ${size} bytes, was built as ${record.size}` };
  }
  if ((await sha256File(path)) !== record.sha256) {
    return { state: 'broken', reason: `${path} changed since it was built (sha256 differs)` };
  }
  return { state: 'ready', path, record };
}

/**
 * Builds a tool in a private folder beside its final place and moves it there
 * only once it is whole and recorded, so an interrupted build is never taken
 * for a good one.
 */
export async function installTool(
  tool: CachedTool,
  build: (workDir: string, binPath: string) => Promise<void>,
  verify: (binPath: string) => Promise<void>,
  dir = toolsDir(),
): Promise<ToolRecord> {
  const parent = join(dir, tool.name);
  await mkdir(parent, { recursive: true });
  const work = await mkdtemp(join(parent, `.partial-${tool.version}-`));
  try {
    const bin = join(work, 'bin', tool.name);
    await mkdir(join(work, 'bin'));
    const started = Date.now();
    await build(work, bin);
    await verify(bin);
    const { size } = await stat(bin);
    const record: ToolRecord = {
      ...tool,
      sha256: await sha256File(bin),
      size,
      buildSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await writeFile(join(work, RECORD), JSON.stringify(record, null, 2) + '\n');
    await rm(join(work, 'src'), { recursive: true, force: true });
    await rm(toolDir(tool, dir), { recursive: true, force: true });
    await rename(work, toolDir(tool, dir));
    return record;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
