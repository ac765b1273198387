import { dirname } from 'node:path';
import { createNodesFromFiles, type CreateNodesContext, type CreateNodesResultArray } from '@nx/devkit';
import { goProjectConfiguration, inferGoProjects } from './go-projects';
import { inferVitestTargets } from './vitest-targets';

/**
 * One glob for both kinds of project: project.json files (TypeScript projects,
 * which get vitest targets) and Go files (Go projects, which have no
 * project.json of their own). The function below dispatches on the file.
 */
export const PROJECT_GLOB = '**/{project.json,*.go}';

/** The project.json files whose projects get vitest targets, exactly as before Go came in. */
const VITEST_PROJECT_JSON = /^(apps|libs|tools)\/[^/]+\/project\.json$/;

export async function createNodesInternal(
  files: readonly string[],
  options: unknown,
  context: CreateNodesContext,
): Promise<CreateNodesResultArray> {
  const projectJsons = files.filter((f) => VITEST_PROJECT_JSON.test(f));
  const goFiles = files.filter((f) => f.endsWith('.go'));

  const vitest = await createNodesFromFiles(
    (file, _options, ctx) => {
      const root = dirname(file);
      return { projects: { [root]: { targets: inferVitestTargets(ctx.workspaceRoot, root) } } };
    },
    projectJsons,
    options,
    context,
  );

  const go: CreateNodesResultArray = inferGoProjects(context.workspaceRoot, goFiles).map((p) => [
    p.source,
    { projects: { [p.root]: goProjectConfiguration(p) } },
  ]);
  return [...vitest, ...go];
}
