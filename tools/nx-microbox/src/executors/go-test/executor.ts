import type { ExecutorContext } from '@nx/devkit';
import { goTest } from '../../../../../libs/gobuild/src/check';

export interface GoTestExecutorOptions {
  /** Workspace-relative project folder; default: the project root. */
  root?: string;
  /** More arguments for `go test`, before the packages. */
  args?: string[];
  env?: Record<string, string>;
}

/** go-test: `go test ./<root>/...` with Go's own output; fails when go does. */
export default async function goTestExecutor(options: GoTestExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const root = options.root ?? (context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.root : undefined);
  if (!root) {
    console.error('go-test: no `root` option and no project root');
    return { success: false };
  }
  const r = await goTest({ workspaceRoot: context.root, root, args: options.args, env: options.env });
  return { success: r.success };
}
