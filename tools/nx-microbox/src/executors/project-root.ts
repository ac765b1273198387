import type { ExecutorContext } from '@nx/devkit';

/** The root folder of the project a target runs for, when Nx says which. */
export function projectRoot(context: Pick<ExecutorContext, 'projectName' | 'projectsConfigurations'>): string | undefined {
  return context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.root : undefined;
}
