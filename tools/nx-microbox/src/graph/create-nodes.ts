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
  const goProjects = inferGoProjects(
    context.workspaceRoot,
    files.filter((f) => f.endsWith('.go')),
  );
  const goRoots = new Set(goProjects.map((p) => p.root));
  const projectJsons = files.filter((f) => f === 'project.json' || f.endsWith('/project.json'));

  const other = await createNodesFromFiles(
    (file, _options, ctx) => {
      const root = dirname(file);
      return {
        projects: {
          [root]: {
            targets: VITEST_PROJECT_JSON.test(file) ? inferVitestTargets(ctx.workspaceRoot, root) : {},
            // Go targets hash `^goSources`: the Go sources of the projects they
            // depend on. A project with no Go code (say an image base that a
            // service depends on implicitly) has none, rather than no such
            // input, which Nx would refuse.
            ...(goRoots.has(root) ? {} : { namedInputs: { goSources: [] } }),
          },
        },
      };
    },
    projectJsons,
    options,
    context,
  );

  const go: CreateNodesResultArray = goProjects.map((p) => {
    const config = goProjectConfiguration(p);
    // A service's end-to-end tests run its image, so they build it first.
    const vitest = inferVitestTargets(context.workspaceRoot, p.root);
    if (vitest.e2e && config.targets?.image) vitest.e2e.dependsOn = ['image'];
    return [p.source, { projects: { [p.root]: { ...config, targets: { ...vitest, ...config.targets } } } }];
  });
  return [...other, ...go];
}
