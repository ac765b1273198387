import { relative } from 'node:path';
import { DependencyType, type CreateDependenciesContext, type RawProjectGraphDependency } from '@nx/devkit';

/** The executors of this plugin are named `@microbox/nx-microbox:<name>`. */
const PLUGIN_EXECUTOR_PREFIX = '@microbox/nx-microbox:';

/** The project whose root holds `file` (workspace-relative), the deepest one when roots nest. */
function projectHolding(file: string, projects: CreateDependenciesContext['projects']): string | undefined {
  let best: [name: string, rootLength: number] | undefined;
  for (const [name, p] of Object.entries(projects)) {
    const root = p.root === '.' ? '' : p.root;
    const holds = root === '' || file === root || file.startsWith(root + '/');
    if (holds && (!best || root.length > best[1])) best = [name, root.length];
  }
  return best?.[0];
}

/**
 * The files a target of this plugin makes (a binary, an image layout, a build
 * record: its `outputs`) are made by the plugin's executors and the libraries
 * they import, so a project with such a target depends on the plugin's
 * project: an implicit edge, which the plugin's own TypeScript imports then
 * carry on to libs/image, libs/service-image, libs/gobuild... `nx affected`
 * sees a change there, and `^` inputs reach that code. Targets that make no
 * files (go-test, go-vet, push) add no edge, so shared Go packages are not
 * affected by the plugin. Nothing when the plugin is not a project of this
 * workspace (installed from a registry).
 */
export function pluginDependencies(
  context: Pick<CreateDependenciesContext, 'projects' | 'workspaceRoot'>,
  pluginDir: string = __dirname,
): RawProjectGraphDependency[] {
  const where = relative(context.workspaceRoot, pluginDir).split('\\').join('/');
  if (where.startsWith('..')) return [];
  const plugin = projectHolding(where, context.projects);
  if (!plugin) return [];
  return Object.entries(context.projects)
    .filter(([name, p]) => name !== plugin && Object.values(p.targets ?? {}).some((t) => t.executor?.startsWith(PLUGIN_EXECUTOR_PREFIX) && (t.outputs?.length ?? 0) > 0))
    .map(([name]) => ({ source: name, target: plugin, type: DependencyType.implicit }));
}
