import { BASEBOX_NAME } from '../../../libs/basebox/src/build';

/** One task in Nx's static output: whether its result came from the cache, and what it printed (or what the cache replayed). */
export interface NxTask {
  /** `[local cache]`, `[existing outputs match the cache, left as is]`, `[remote cache]`; undefined when the executor ran. */
  cache?: string;
  output: string;
}

/**
 * The tasks of an `nx run`, `run-many` or `affected` with
 * `--outputStyle=static`, by `project:target`: each starts with a
 * `> nx run project:target` line, the cache's word on it at its end, and
 * holds what follows up to the next task or Nx's summary.
 */
export function nxTasks(output: string): Map<string, NxTask> {
  const tasks = new Map<string, NxTask>();
  let current: NxTask | undefined;
  for (const line of output.split('\n')) {
    const start = /^> nx run (\S+:\S+)(?:\s+\[(.*cache.*)\])?\s*$/.exec(line);
    if (start) {
      current = { cache: start[2] && `[${start[2]}]`, output: '' };
      tasks.set(start[1]!, current);
    } else if (/^\s*NX\s{2,}/.test(line)) {
      current = undefined;
    } else if (current) {
      current.output += `${line}\n`;
    }
  }
  return tasks;
}

/**
 * The manifest digest in the line a layout executor prints when it writes a
 * layout (`greeter: sha256:<hex> in 0.05s; ...`, `microbox/basebox: sha256:<hex> in 0.11s`),
 * or undefined when the output holds none. The load executor's lines (a
 * short id, "already in the daemon") do not match.
 */
export function layoutDigest(project: string, output: string): string | undefined {
  const name = project === 'basebox' ? BASEBOX_NAME : project;
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${escaped}: (sha256:[0-9a-f]{64}) in [\\d.]+s`, 'm').exec(output)?.[1];
}
