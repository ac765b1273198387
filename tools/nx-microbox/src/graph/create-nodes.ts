import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodesContext, type CreateNodesResultArray, type ProjectConfiguration, type TargetConfiguration } from '@nx/devkit';
import { calculateHashesForCreateNodes } from '@nx/devkit/internal';
import { goProjectConfiguration, goProjectRootOf, inferGoProjects } from './go-projects';
import { parsePluginOptions, type MicroboxPluginOptions } from './plugin-options';
import { inferVitestTargets } from './vitest-targets';
import { listedFileInputs } from './listed-files';
import { pluginCodeVersion } from './plugin-code-version';
import { WorkspaceDataCache } from './workspace-data-cache';

/**
 * One glob for both kinds of project: project.json files (TypeScript projects,
 * which get vitest targets) and Go files (Go projects, which have no
 * project.json of their own). The function below dispatches on the file.
 */
export const PROJECT_GLOB = '**/{project.json,*.go}';

/** The project.json files whose projects get vitest targets, exactly as before Go came in. */
const VITEST_PROJECT_JSON = /^(apps|libs|tools)\/[^/]+\/project\.json$/;

const PUSH_EXECUTOR = '@microbox/nx-microbox:push';

type Inferred = Omit<ProjectConfiguration, 'root'>;

/**
 * What was inferred for a project folder, keyed by the hash of every file in
 * it (and the plugin options): a graph computation reads and walks only the
 * folders that changed since the last one.
 */
const inferredCache = new WorkspaceDataCache<{ source?: string; project: Inferred }>('microbox-nodes.json', pluginCodeVersion());

/** Inferred options for the project.json's targets run by the push executor: the registry from nx.json. */
function pushTargetsWithRegistry(workspaceRoot: string, projectJson: string, registry: string | undefined): Record<string, TargetConfiguration> {
  if (!registry) return {};
  let targets: Record<string, TargetConfiguration> = {};
  try {
    targets = (JSON.parse(readFileSync(join(workspaceRoot, projectJson), 'utf8')) as ProjectConfiguration).targets ?? {};
  } catch {
    // Nx itself says what is wrong with a project.json it cannot read
  }
  return Object.fromEntries(
    Object.entries(targets)
      .filter(([, t]) => t.executor === PUSH_EXECUTOR)
      .map(([name]) => [name, { executor: PUSH_EXECUTOR, options: { registry } }]),
  );
}

/** A project.json project: vitest targets, the registry for its push targets, and no Go sources unless Go infers some. */
function inferFromProjectJson(workspaceRoot: string, file: string, hasGo: boolean, options: MicroboxPluginOptions): Inferred {
  const root = dirname(file);
  return {
    targets: {
      ...(VITEST_PROJECT_JSON.test(file) ? inferVitestTargets(workspaceRoot, root) : {}),
      ...pushTargetsWithRegistry(workspaceRoot, file, options.registry),
    },
    // Go targets hash `^goSources`: the Go sources of the projects they
    // depend on. A project with no Go code (say an image base that a
    // service depends on implicitly) has none, rather than no such
    // input, which Nx would refuse.
    ...(hasGo ? {} : { namedInputs: { goSources: [] } }),
  };
}

/** A Go project folder: its Go targets, its vitest targets, and the registry for its push target. */
function inferGoProject(workspaceRoot: string, goFiles: string[], options: MicroboxPluginOptions): { source: string; project: Inferred } | undefined {
  const [p] = inferGoProjects(workspaceRoot, goFiles);
  if (!p) return undefined;
  const { root: _root, ...config } = goProjectConfiguration(p);
  const targets = config.targets ?? {};
  if (targets['push'] && options.registry) targets['push'] = { ...targets['push'], options: { ...targets['push'].options, registry: options.registry } };
  const listed = listedFileInputs(workspaceRoot, p.root);
  if (targets['layout'] && listed.length) targets['layout'] = { ...targets['layout'], inputs: [...(targets['layout'].inputs ?? []), ...listed] };
  // A service's end-to-end tests run its image, so they build it first.
  const vitest = inferVitestTargets(workspaceRoot, p.root);
  if (vitest.e2e && targets['image']) vitest.e2e.dependsOn = ['image'];
  return { source: p.source, project: { ...config, targets: { ...vitest, ...targets } } };
}

/** How many project folders the last computation saw, and how many of them it had to infer (not cached). */
export let lastInference: { folders: number; inferred: number } | undefined;

export async function createNodesInternal(
  files: readonly string[],
  pluginOptions: MicroboxPluginOptions | undefined,
  context: CreateNodesContext,
): Promise<CreateNodesResultArray> {
  // Typed for callers, but nx.json is JSON: checked here, before anything is inferred.
  const options = parsePluginOptions(pluginOptions);
  const ws = context.workspaceRoot;

  const goFilesByRoot = new Map<string, string[]>();
  for (const f of files) {
    const root = goProjectRootOf(f);
    if (root) goFilesByRoot.set(root, [...(goFilesByRoot.get(root) ?? []), f]);
  }
  const projectJsons = files.filter((f) => f === 'project.json' || f.endsWith('/project.json'));
  const roots = [...new Set([...goFilesByRoot.keys(), ...projectJsons.map((f) => dirname(f))])];
  const hashes = new Map(roots.map((r, i) => [r, i]));
  const hashList = await calculateHashesForCreateNodes(roots, options, context);
  const hashOf = (root: string) => hashList[hashes.get(root)!];

  const other = await createNodesFromFiles(
    (file) => {
      const root = dirname(file);
      const { project } = inferredCache.get(ws, `json:${file}:${hashOf(root)}`, () => ({
        project: inferFromProjectJson(ws, file, goFilesByRoot.has(root), options),
      }));
      return { projects: { [root]: project } };
    },
    projectJsons,
    options,
    context,
  );

  const go: CreateNodesResultArray = [];
  for (const [root, goFiles] of [...goFilesByRoot].sort(([a], [b]) => a.localeCompare(b))) {
    const inferred = inferredCache.get(ws, `go:${root}:${hashOf(root)}`, () => inferGoProject(ws, goFiles, options) ?? { project: {} });
    if (inferred.source) go.push([inferred.source, { projects: { [root]: inferred.project } }]);
  }
  lastInference = { folders: roots.length, inferred: inferredCache.misses };
  inferredCache.save(ws);
  return [...other, ...go];
}
