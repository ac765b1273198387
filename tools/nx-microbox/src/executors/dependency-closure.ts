import type { ExecutorContext } from '@nx/devkit';

export type GraphContext = Pick<ExecutorContext, 'projectGraph' | 'projectName'>;

/**
 * The project a target runs for and every project it depends on,
 * transitively, as the graph has them (what a `^` input walks); none when
 * the context has no graph.
 */
export function dependencyClosure(context: GraphContext): string[] {
  const graph = context.projectGraph;
  const start = context.projectName;
  if (!graph || !start || !graph.nodes[start]) return [];
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
  return [...seen];
}
