import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DependencyType, type CreateDependencies, type CreateDependenciesContext, type RawProjectGraphDependency } from '@nx/devkit';
import { localModules, type LocalModule, resolveImport } from '../../../../libs/gobuild/src/gomod';
import { isGoSourcePath, parseGoFileHeader } from '../../../../libs/gobuild/src/imports';
import { imageDependencies } from './image-dependencies';
import { pluginDependencies } from './plugin-dependencies';

/** Imports of one file, keyed by the file's content hash (from Nx's file map). */
type ImportCache = Map<string, string[]>;

const CACHE_VERSION = 1;
const memory: ImportCache = new Map();
let diskLoadedFrom: string | undefined;

function cacheFile(workspaceRoot: string): string {
  const dir = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? join(workspaceRoot, '.nx', 'workspace-data');
  return join(dir, 'microbox-go-imports.json');
}

function loadDiskCache(file: string) {
  if (diskLoadedFrom === file) return;
  diskLoadedFrom = file;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { version: number; files: Record<string, string[]> };
    if (data.version !== CACHE_VERSION) return;
    for (const [hash, imports] of Object.entries(data.files)) if (!memory.has(hash)) memory.set(hash, imports);
  } catch {
    // no cache yet, or an unreadable one: parse again
  }
}

function saveDiskCache(file: string, live: Set<string>) {
  const files: Record<string, string[]> = {};
  for (const hash of live) {
    const imports = memory.get(hash);
    if (imports) files[hash] = imports;
  }
  try {
    mkdirSync(posix.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: CACHE_VERSION, files }));
    renameSync(tmp, file);
  } catch {
    // the cache is an optimisation only
  }
}

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
  const cachePath = cacheFile(ws);
  loadDiskCache(cachePath);

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
  const modules: LocalModule[] = localModules(modText);

  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  const live = new Set<string>();
  let files = 0;
  let parsed = 0;
  for (const [source, projectFiles] of Object.entries(context.fileMap.projectFileMap)) {
    for (const f of projectFiles) {
      if (!isGoSourcePath(f.file)) continue;
      files++;
      live.add(f.hash);
      let imports = memory.get(f.hash);
      if (!imports) {
        try {
          const header = parseGoFileHeader(readFileSync(join(ws, f.file), 'utf8'));
          // `//go:build ignore` marks a file no build ever compiles (generators run with go run).
          imports = header.buildConstraint?.trim() === 'ignore' ? [] : header.imports;
        } catch {
          continue;
        }
        memory.set(f.hash, imports);
        parsed++;
      }
      for (const imp of imports) {
        const dir = resolveImport(imp, modules);
        if (dir === undefined) continue;
        const target = ownerOf(dir, rootsByLength);
        if (!target || target === source) continue;
        const key = `${source}\0${target}`;
        if (seen.has(key)) continue;
        seen.add(key);
        deps.push({ source, target, sourceFile: f.file, type: DependencyType.static });
      }
    }
  }
  if (parsed > 0) saveDiskCache(cachePath, live);
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
