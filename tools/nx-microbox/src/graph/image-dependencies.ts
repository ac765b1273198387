import { DependencyType, type CreateDependenciesContext, type RawProjectGraphDependency } from '@nx/devkit';
import { BASEBOX_PROJECT } from './go-projects';

const IMAGE_EXECUTOR = '@microbox/nx-microbox:image';

/**
 * Every service image is built FROM the basebox image, so a change to basebox
 * affects every service: an edge from each project with an image target to
 * basebox makes `nx affected` say so (a target's dependsOn alone does not).
 */
export function imageDependencies(context: Pick<CreateDependenciesContext, 'projects'>): RawProjectGraphDependency[] {
  if (!context.projects[BASEBOX_PROJECT]) return [];
  return Object.entries(context.projects)
    .filter(([name, p]) => name !== BASEBOX_PROJECT && Object.values(p.targets ?? {}).some((t) => t.executor === IMAGE_EXECUTOR))
    .map(([name]) => ({ source: name, target: BASEBOX_PROJECT, type: DependencyType.implicit }));
}
