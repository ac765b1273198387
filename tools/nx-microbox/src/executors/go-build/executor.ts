import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { goBuild, type GoBuildOptions } from '../../../../../libs/gobuild/src/build';
import { withBuildLock } from '../build-lock';
import { dependencyClosure, type GraphContext } from '../dependency-closure';
import { projectRoot } from '../project-root';

export type GoBuildExecutorOptions = Omit<GoBuildOptions, 'workspaceRoot' | 'stampPaths' | 'log' | 'main'> & {
  /** Workspace-relative folder of the main package; default: the project root. */
  main?: string;
};

/** A project with Go code: its `goSources` input (empty for every other project) names files. */
function hasGoSources(node: NonNullable<ExecutorContext['projectGraph']>['nodes'][string]): boolean {
  const goSources = node.data.namedInputs?.['goSources'];
  return Array.isArray(goSources) && goSources.length > 0;
}

/**
 * The roots whose files the stamp follows: the project's and those of the Go
 * projects it depends on, transitively, the same set `goSources` and
 * `^goSources` hash. Edges to projects without Go code (the implicit one to
 * basebox, the one to this plugin) are walked as Nx walks them for
 * `^goSources`, but add no root: a commit touching only the basebox lock or
 * the plugin changes neither go-build's cache inputs nor the stamp.
 */
export function goDependencyRoots(context: GraphContext): string[] {
  const nodes = context.projectGraph?.nodes ?? {};
  return dependencyClosure(context)
    .filter((n) => n === context.projectName || hasGoSources(nodes[n]))
    .map((n) => nodes[n]!.data.root)
    .sort();
}

/**
 * go-build: a thin adapter over libs/gobuild. The stamped commit is the last
 * one that touched this project's or its Go dependencies' Go sources (the
 * Go files among its cache inputs), so an unrelated commit does not change the binary.
 */
export default async function goBuildExecutor(options: GoBuildExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const main = options.main ?? projectRoot(context);
  if (!main) {
    console.error('go-build: no `main` option and no project root to build');
    return { success: false };
  }
  const roots = goDependencyRoots(context);
  // Two builds of one binary at once would each empty the other's output folder: they take turns.
  const outputPath = options.outputPath ?? `dist/${main}`;
  const result = await withBuildLock(join(context.root, `${outputPath.replace(/\/+$/, '')}.lock`), `${context.projectName ?? main}:go-build`, () =>
    goBuild({
      ...options,
      main,
      workspaceRoot: context.root,
      stampPaths: roots.length ? roots : [main],
    }),
  );
  if (!result.success) console.error(result.error);
  return { success: result.success };
}
