import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { isGoSourcePath, parseGoFileHeader } from '../../../../libs/gobuild/src/imports';
import { moduleFilesOutside, readOwnModule, type OwnModule } from '../../../../libs/gobuild/src/modules';
import { gitStateCommand, goInputPathspecs, imageInputPathspecs } from '../../../../libs/gobuild/src/version';

/** Where Go projects live: a service per folder under apps/, a shared package tree per folder under libs/go/. */
const GO_PROJECT_ROOT = /^(apps\/[^/]+|libs\/go\/[^/]+)\//;

/** The project folder a Go file belongs to, or undefined when it is not in a Go project folder. */
export function goProjectRootOf(file: string): string | undefined {
  if (!isGoSourcePath(file)) return undefined;
  return GO_PROJECT_ROOT.exec(file)?.[1];
}

/**
 * Everything in a Go project folder that a build or test can read (embed
 * files, testdata, nested modules), but not its docs, TypeScript or
 * end-to-end tests: a README edit rebuilds nothing. Used as `goSources` and
 * `^goSources`, so a project's hash covers the Go projects it imports.
 */
export const GO_SOURCES = [
  '{projectRoot}/**/*',
  '!{projectRoot}/**/*.md',
  '!{projectRoot}/**/*.ts',
  '!{projectRoot}/e2e/**/*',
  '!{projectRoot}/project.json',
];

/** Inputs of a Go target: the project's and its Go dependencies' sources, the module files outside them, the toolchain. */
function goInputs(moduleFiles: string[]): NonNullable<TargetConfiguration['inputs']> {
  return [
    'goSources',
    '^goSources',
    ...moduleFiles.map((f) => `{workspaceRoot}/${f}`),
    { runtime: 'go env GOVERSION' },
    { env: 'GOFLAGS' },
    { env: 'GOEXPERIMENT' },
    { env: 'GOAMD64' },
    { env: 'GOARM64' },
  ];
}

/** Inputs of every Go target of a package of the root module (the root go.mod and go.sum among them). */
export const GO_INPUTS = goInputs(moduleFilesOutside(undefined));

/**
 * Inputs of one project's Go targets: a project with a go.mod of its own has
 * it and its go.sum among its sources, and from outside only the go.mod of
 * each workspace folder it replaces, so an edit to the root go.mod does not
 * touch it.
 */
export function goInputsOf(p: Pick<GoProject, 'ownModule'>): NonNullable<TargetConfiguration['inputs']> {
  return p.ownModule ? goInputs(moduleFilesOutside(p.ownModule)) : GO_INPUTS;
}

/** Where the Go packages a service may import live, besides its own folder. */
const GO_LIBRARY_ROOT = 'libs/go';
/** Where everything else an image may depend on lives: the base, the libraries and the plugin that make images. */
const IMAGE_CODE_ROOTS = ['libs', 'tools'];

/**
 * go-build's stamp follows git (the last commit of its Go inputs, +dirty),
 * which file contents alone do not show: this command's output, a runtime
 * input, does. The executor stamps from the exact Go dependency closure,
 * which the graph only knows later; this covers the project and every
 * shared Go package, a superset, so a commit there may rebuild the same bytes
 * but a stamp never goes stale in the cache.
 */
function stampStateCommand(p: Pick<GoProject, 'root' | 'ownModule'>): string {
  return gitStateCommand(goInputPathspecs([p.root, GO_LIBRARY_ROOT], moduleFilesOutside(p.ownModule)));
}

/**
 * The repository URL the source label names (git's `origin`), without its
 * user-info: a layout is remade when the remote changes, and no token enters
 * Nx's hash details.
 */
const SOURCE_REMOTE_COMMAND = "git remote get-url origin 2>/dev/null | sed -E 's#^([a-z+]+://)[^/@]*@#\\1#'; true";

/** The platforms a service's go-build makes beside the primary linux/amd64; a project.json may set its own. */
export const SERVICE_PLATFORMS = ['linux/arm64'];

/** The project that builds the base image every service image is built FROM. */
export const BASEBOX_PROJECT = 'basebox';
/** The base's build record, which every service layout reads. */
export const BASEBOX_RECORD = 'dist/images/basebox.json';

export interface GoProject {
  root: string;
  name: string;
  kind: 'app' | 'lib';
  /** True when the folder itself holds a `package main` (a service go-build can build). */
  isMain: boolean;
  /** One of its Go files, as the "config file" Nx attributes the project to. */
  source: string;
  /** Its go.mod, when the folder is a module of its own rather than part of the root module. */
  ownModule?: OwnModule;
}

/**
 * Groups Go files into projects: `apps/<svc>` (named `<svc>`) and
 * `libs/go/<name>` (named `go-<name>`), nested packages included. A folder is
 * a service when a non-test file directly in it says `package main` (files
 * with `//go:build ignore` do not count).
 */
export function inferGoProjects(workspaceRoot: string, goFiles: readonly string[]): GoProject[] {
  const byRoot = new Map<string, string[]>();
  for (const f of goFiles) {
    const root = goProjectRootOf(f);
    if (!root) continue;
    let list = byRoot.get(root);
    if (!list) byRoot.set(root, (list = []));
    list.push(f);
  }
  const projects: GoProject[] = [];
  for (const [root, files] of [...byRoot].sort(([a], [b]) => a.localeCompare(b))) {
    const direct = files.filter((f) => posix.dirname(f) === root && !f.endsWith('_test.go')).sort();
    let mainFile: string | undefined;
    for (const f of direct) {
      let text: string;
      try {
        text = readFileSync(join(workspaceRoot, f), 'utf8');
      } catch {
        continue;
      }
      const header = parseGoFileHeader(text);
      if (header.packageName === 'main' && header.buildConstraint?.trim() !== 'ignore') {
        mainFile = f;
        break;
      }
    }
    const kind = root.startsWith('apps/') ? 'app' : 'lib';
    const folder = posix.basename(root);
    projects.push({
      root,
      name: kind === 'app' ? folder : `go-${folder}`,
      kind,
      isMain: mainFile !== undefined,
      source: mainFile ?? direct[0] ?? files.sort()[0],
      ownModule: readOwnModule(workspaceRoot, root),
    });
  }
  return projects;
}

/** The project configuration Nx gets for a Go project; a project.json beside it may override any of it. */
export function goProjectConfiguration(p: GoProject): Omit<ProjectConfiguration, 'root'> & { root: string } {
  const targets: Record<string, TargetConfiguration> = {};
  if (p.isMain) {
    targets['go-build'] = {
      executor: '@microbox/nx-microbox:go-build',
      // A service is built for the platforms of its image, as the base has
      // them: linux/amd64 (the primary binary) and linux/arm64.
      options: { main: p.root, outputPath: `dist/${p.root}`, ...(p.kind === 'app' ? { platforms: SERVICE_PLATFORMS } : {}) },
      outputs: ['{options.outputPath}'],
      cache: true,
      // `^code`: the executor's TypeScript and the libraries it imports (the
      // project depends on the plugin), so a change to how binaries are built
      // is a cache miss too.
      inputs: [...goInputsOf(p), '^code', { runtime: stampStateCommand(p) }],
      metadata: {
        technologies: ['go'],
        description: 'Static, reproducible Go binary: CGO_ENABLED=0 -trimpath -ldflags "-s -w -buildid= -X <buildinfo>", ELF checked static',
      },
    };
  }
  if (p.isMain && p.kind === 'app') {
    targets['layout'] = {
      executor: '@microbox/nx-microbox:service-layout',
      dependsOn: ['go-build', { projects: [BASEBOX_PROJECT], target: 'layout' }],
      options: { baseRecord: BASEBOX_RECORD },
      // The image is a pure function of these: the service folder, the code
      // that makes images, go-build's binary and the base's layout. The base's
      // blobs stay in the base's layout, so this entry holds only its own.
      // The git state of what names it (the tag and revision label) too.
      inputs: [
        'production',
        '^production',
        { dependentTasksOutputFiles: '**/*' },
        { runtime: gitStateCommand(imageInputPathspecs([p.root, ...IMAGE_CODE_ROOTS])) },
        { runtime: SOURCE_REMOTE_COMMAND },
      ],
      // The SBOM of each platform's image: linux/amd64's as <svc>.cdx.json, the others' as <svc>.<os>-<arch>-<variant>.cdx.json.
      outputs: [`{workspaceRoot}/dist/images/${p.name}`, `{workspaceRoot}/dist/images/${p.name}.json`, `{workspaceRoot}/dist/images/${p.name}.cdx.json`, `{workspaceRoot}/dist/images/${p.name}.linux-*.cdx.json`],
      cache: true,
      metadata: {
        technologies: ['go', 'oci'],
        description: `${p.name}'s OCI image layout on the basebox (static binary, s6 service dirs, consul-template config), written without a daemon`,
      },
    };
    targets['image'] = {
      executor: '@microbox/nx-microbox:load',
      dependsOn: ['layout'],
      // Never cached: what it does is outside the workspace (the daemon). It
      // loads nothing when the daemon already holds the image.
      cache: false,
      metadata: {
        technologies: ['docker'],
        description: `${p.name}:latest and ${p.name}:<commit> in the Docker daemon, loaded from the layout (--load=false: the layout only)`,
      },
    };
    targets['push'] = {
      executor: '@microbox/nx-microbox:push',
      dependsOn: ['layout'],
      // Never cached: what it does is outside the workspace (the registry).
      cache: false,
      metadata: {
        technologies: ['oci'],
        description: `Pushes ${p.name}'s tags from its layout to MICROBOX_REGISTRY (or the plugin option registry in nx.json), with no daemon`,
      },
    };
  }
  targets['go-test'] = {
    executor: '@microbox/nx-microbox:go-test',
    options: { root: p.root },
    cache: true,
    inputs: [...goInputsOf(p), { env: 'CGO_ENABLED' }],
    metadata: { technologies: ['go'], description: p.ownModule ? `(cd ${p.root}) go test ./...` : `go test ./${p.root}/...` },
  };
  targets['go-vet'] = {
    executor: '@microbox/nx-microbox:go-vet',
    options: { root: p.root },
    cache: true,
    inputs: [...goInputsOf(p), { env: 'CGO_ENABLED' }],
    metadata: { technologies: ['go'], description: p.ownModule ? `(cd ${p.root}) go vet ./...` : `go vet ./${p.root}/...` },
  };
  return {
    root: p.root,
    name: p.name,
    projectType: p.kind === 'app' ? 'application' : 'library',
    sourceRoot: p.root,
    tags: ['lang:go', p.kind === 'app' ? 'type:app' : 'type:lib'],
    namedInputs: { goSources: GO_SOURCES },
    targets,
  };
}
