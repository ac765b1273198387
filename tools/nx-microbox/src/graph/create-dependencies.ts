import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DependencyType, type CreateDependencies, type CreateDependenciesContext, type RawProjectGraphDependency } from '@nx/devkit';
import { localModulesFor, resolveImport } from '../../../../libs/gobuild/src/gomod';
import { isGoSourcePath, parseGoFileHeader } from '../../../../libs/gobuild/src/imports';
import { imageDependencies } from './image-dependencies';
import { pluginDependencies } from './plugin-dependencies';
import { pluginCodeVersion } from './plugin-code-version';
import { WorkspaceDataCache } from './workspace-data-cache';

/** Each Go file's imports, keyed by the file's content hash (from Nx's file map). */
const importsCache = new WorkspaceDataCache<string[]>('microbox-go-imports.json', pluginCodeVersion());

/** The project owning a workspace-relative folder: the one with the longest root that contains it. */
export function ownerOf(dir: string, rootsByLength: Array<[root: string, name: string]>): string | undefined {
  for (const [root, name] of rootsByLength) {
    if (root === '' || root === '.' || dir === root || dir.startsWith(root + '/')) return name;
  }
  return undefined;
}

export interface GoEdgeTiming {
  files: number;
  parsed: number;
  ms: number;
}
export let lastTiming: GoEdgeTiming | undefined;

/**
 * Project edges from Go imports. Every Go file Nx knows (by its content hash,
 * so unchanged files are never read twice; the parsed imports are cached in
 * memory and in the workspace data folder) is read up to its last import; each
 * import path is mapped to a folder the way Go resolves it (the main module's
 * path, go.work `use` folders, nested go.mod files and replace directives that
 * point at a local folder), and the folder to the project that holds it.
 * Build constraints are not applied (but for `//go:build ignore`): a file
 * compiled only for another platform still makes its project depend on what
 * it imports.
 */
export function goDependencies(context: Pick<CreateDependenciesContext, 'fileMap' | 'projects' | 'workspaceRoot'>): RawProjectGraphDependency[] {
  const started = performance.now();
  const ws = context.workspaceRoot;

  const rootsByLength: Array<[string, string]> = Object.entries(context.projects)
    .map(([name, p]): [string, string] => [p.root, name])
    .sort(([a], [b]) => b.length - a.length);

  // go.mod and go.work anywhere in the workspace (module roots and replace targets).
  const modText: Record<string, string> = {};
  const allFiles = [
    ...context.fileMap.nonProjectFiles,
    ...Object.values(context.fileMap.projectFileMap).flat(),
  ];
  for (const f of allFiles) {
    const base = posix.basename(f.file);
    if ((base === 'go.mod' || base === 'go.work') && !f.file.split('/').some((s) => s === 'testdata' || s === 'node_modules')) {
      try {
        modText[f.file] = readFileSync(join(ws, f.file), 'utf8');
      } catch {
        // deleted since the file map was made
      }
    }
  }
  const modulesOf = localModulesFor(modText);

  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  let files = 0;
  for (const [source, projectFiles] of Object.entries(context.fileMap.projectFileMap)) {
    for (const f of projectFiles) {
      if (!isGoSourcePath(f.file)) continue;
      files++;
      let imports: string[];
      try {
        imports = importsCache.get(ws, f.hash, () => {
          const header = parseGoFileHeader(readFileSync(join(ws, f.file), 'utf8'));
          // `//go:build ignore` marks a file no build ever compiles (generators run with go run).
          return header.buildConstraint?.trim() === 'ignore' ? [] : header.imports;
        });
      } catch {
        continue; // deleted since the file map was made
      }
      for (const imp of imports) {
        const resolved = resolveImport(imp, modulesOf(f.file));
        if (resolved === undefined) continue;
        const target = ownerOf(resolved.dir, rootsByLength);
        if (!target || target === source) continue;
        const key = `${source}\0${target}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // Nx keeps a file's static edges until that file changes. An edge
        // through a replace directive changes with the go.mod too, so it is
        // implicit: made afresh on every graph computation.
        deps.push(
          resolved.replacedIn
            ? { source, target, type: DependencyType.implicit }
            : { source, target, sourceFile: f.file, type: DependencyType.static },
        );
      }
    }
  }
  const parsed = importsCache.misses;
  importsCache.save(ws);
  lastTiming = { files, parsed, ms: performance.now() - started };
  if (process.env.MICROBOX_GO_GRAPH_TIMING) {
    console.error(`microbox go graph: ${deps.length} edges from ${files} Go files (${parsed} parsed) in ${lastTiming.ms.toFixed(1)} ms`);
  }
  return deps;
}

/**
 * Go imports, the base image, and the plugin that makes every artifact. TypeScript
 * imports are Nx's own source analysis (`pluginsConfig["@nx/js"].analyzeSourceFiles`
 * in nx.json), which resolves relative paths and tsconfig paths and caches each
 * file's imports by its hash.
 */
export const createDependencies: CreateDependencies = (_options, context) => [
  ...goDependencies(context),
  ...imageDependencies(context),
  ...pluginDependencies(context),
];
