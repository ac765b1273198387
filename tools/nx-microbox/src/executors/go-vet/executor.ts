import type { ExecutorContext } from '@nx/devkit';
import { goVet } from '../../../../../libs/gobuild/src/check';

export interface GoVetExecutorOptions {
  /** Workspace-relative project folder; default: the project root. */
  root?: string;
  /** More arguments for `go vet`, before the packages. */
  args?: string[];
  env?: Record<string, string>;
}

/** go-vet: `go vet ./<root>/...` with Go's own output; fails when go does. */
export default async function goVetExecutor(options: GoVetExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const root = options.root ?? (context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.root : undefined);
  if (!root) {
    console.error('go-vet: no `root` option and no project root');
    return { success: false };
  }
  const r = await goVet({ workspaceRoot: context.root, root, args: options.args, env: options.env });
  return { success: r.success };
}
