import type { ExecutorContext } from '@nx/devkit';
import { imageInputPathspecs, versionFromGit, type VersionStamp } from '../../../../../libs/gobuild/src/version';

type GraphContext = Pick<ExecutorContext, 'projectGraph' | 'projectName'>;

/**
 * The folders an image is made of: the service's and every project it
 * depends on, transitively (its Go packages, the base, the libraries and
 * the plugin that make images), as the graph has them; with no graph, the
 * service's alone.
 */
export function imageInputRoots(context: GraphContext, serviceRoot: string): string[] {
  const graph = context.projectGraph;
  const start = context.projectName;
  if (!graph || !start || !graph.nodes[start]) return [serviceRoot];
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
  return [...new Set([...seen].map((n) => graph.nodes[n]!.data.root))].filter((root) => root && root !== '.').sort();
}

/**
 * The version that names the image (its `<commit>` tag and revision label):
 * the last commit touching any of its inputs, dirty when any is uncommitted.
 * go-build's stamp follows the Go inputs only, so two images differing in
 * their project.json, templates or base would otherwise share a tag.
 */
export function imageVersion(workspaceRoot: string, roots: string[]): VersionStamp & { tag: string } {
  const stamp = versionFromGit(workspaceRoot, imageInputPathspecs(roots));
  return { ...stamp, tag: `${stamp.commit.slice(0, 12)}${stamp.dirty ? '-dirty' : ''}` };
}
