import type { ExecutorContext } from '@nx/devkit';
import { goBuild, type GoBuildOptions } from '../../../../../libs/gobuild/src/build';
import { projectRoot } from '../project-root';

export type GoBuildExecutorOptions = Omit<GoBuildOptions, 'workspaceRoot' | 'stampPaths' | 'log' | 'main'> & {
  /** Workspace-relative folder of the main package; default: the project root. */
  main?: string;
};

/** The project's root and the roots of every project it depends on, transitively (its Go imports). */
export function dependencyRoots(context: Pick<ExecutorContext, 'projectGraph' | 'projectName'>): string[] {
  const graph = context.projectGraph;
  const start = context.projectName;
  if (!graph || !start) return [];
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    for (const d of graph.dependencies[queue.shift()!] ?? []) {
      if (graph.nodes[d.target] && !seen.has(d.target)) {
        seen.add(d.target);
        queue.push(d.target);
      }
    }
  }
  return [...seen].map((n) => graph.nodes[n].data.root).sort();
}

/**
 * go-build: a thin adapter over libs/gobuild. The stamped commit is the last
 * one that touched this project or a Go project it imports (the same files
 * its cache inputs cover), so an unrelated commit does not change the binary.
 */
export default async function goBuildExecutor(options: GoBuildExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const main = options.main ?? projectRoot(context);
  if (!main) {
    console.error('go-build: no `main` option and no project root to build');
    return { success: false };
  }
  const roots = dependencyRoots(context);
  const result = await goBuild({
    ...options,
    main,
    workspaceRoot: context.root,
    stampPaths: roots.length ? roots : [main],
  });
  if (!result.success) console.error(result.error);
  return { success: result.success };
}
