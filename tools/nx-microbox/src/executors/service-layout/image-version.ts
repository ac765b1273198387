import { imageInputPathspecs, versionFromGit, type VersionStamp } from '../../../../../libs/gobuild/src/version';
import { dependencyClosure, type GraphContext } from '../dependency-closure';

/**
 * The folders an image is made of: the service's and every project it
 * depends on, transitively (its Go packages, the base, the libraries and
 * the plugin that make images), as the graph has them; with no graph, the
 * service's alone.
 */
export function imageInputRoots(context: GraphContext, serviceRoot: string): string[] {
  const projects = dependencyClosure(context);
  if (!projects.length) return [serviceRoot];
  const nodes = context.projectGraph!.nodes;
  return [...new Set(projects.map((n) => nodes[n]!.data.root))].filter((root) => root && root !== '.').sort();
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
