import type { ExecutorContext } from '@nx/devkit';
import type { GoCheckOptions, GoCheckResult } from '../../../../libs/gobuild/src/check';
import { projectRoot } from './project-root';

export interface GoCheckExecutorOptions {
  /** Workspace-relative project folder; default: the project root. */
  root?: string;
  /** More arguments for the go command, before the packages. */
  args?: string[];
  env?: Record<string, string>;
}

/** go-test and go-vet: the go command on `./<root>/...` with Go's own output; fails when go does. */
export function goCheckExecutor(target: string, check: (o: GoCheckOptions) => Promise<GoCheckResult>) {
  return async (options: GoCheckExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> => {
    const root = options.root ?? projectRoot(context);
    if (!root) {
      console.error(`${target}: no \`root\` option and no project root`);
      return { success: false };
    }
    try {
      const r = await check({ workspaceRoot: context.root, root, args: options.args, env: options.env });
      return { success: r.success };
    } catch (err) {
      // No Go that fits, or one that does not start: one line, not a stack.
      console.error(`${target}: ${(err as Error).message}`);
      return { success: false };
    }
  };
}
