import { DependencyType, type CreateDependenciesContext, type ProjectConfiguration, type RawProjectGraphDependency } from '@nx/devkit';
import { BASEBOX_PROJECT } from './go-projects';

/**
 * True when a target of the project runs after one of basebox's: the way the
 * inferred service image targets say they are built FROM the base, whatever
 * their executors are called.
 */
function buildsOnBasebox(p: ProjectConfiguration): boolean {
  return Object.values(p.targets ?? {}).some((t) =>
    (t.dependsOn ?? []).some((d) => typeof d === 'object' && [d.projects ?? []].flat().includes(BASEBOX_PROJECT)),
  );
}

/**
 * Every service image is built FROM the basebox image, so a change to basebox
 * affects every service: an edge from each project whose image targets build
 * on basebox's makes `nx affected` say so (a target's dependsOn alone does not).
 */
export function imageDependencies(context: Pick<CreateDependenciesContext, 'projects'>): RawProjectGraphDependency[] {
  if (!context.projects[BASEBOX_PROJECT]) return [];
  return Object.entries(context.projects)
    .filter(([name, p]) => name !== BASEBOX_PROJECT && buildsOnBasebox(p))
    .map(([name]) => ({ source: name, target: BASEBOX_PROJECT, type: DependencyType.implicit }));
}
