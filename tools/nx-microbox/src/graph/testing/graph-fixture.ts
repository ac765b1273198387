import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FileData, ProjectConfiguration } from '@nx/devkit';
import { goProjectConfiguration, inferGoProjects } from '../go-projects';

/** Every file under `root` (workspace-relative), skipping .git, node_modules, dist and .nx. */
export function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['.git', 'node_modules', 'dist', '.nx'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(root, p));
    else out.push(relative(root, p));
  }
  return out.sort();
}

/**
 * What Nx would hand createDependencies for a fixture workspace with only the
 * inferred Go projects: projects by name, and each file (with a content hash)
 * under the project owning it.
 */
export function fixtureContext(ws: string) {
  const files = listFiles(ws);
  const projects: Record<string, ProjectConfiguration> = {};
  for (const p of inferGoProjects(ws, files.filter((f) => f.endsWith('.go')))) {
    const config = goProjectConfiguration(p);
    projects[p.name] = config as ProjectConfiguration;
  }
  const roots = Object.entries(projects).sort(([, a], [, b]) => b.root.length - a.root.length);
  const projectFileMap: Record<string, FileData[]> = {};
  const nonProjectFiles: FileData[] = [];
  for (const file of files) {
    const hash = createHash('sha1').update(readFileSync(join(ws, file))).digest('hex');
    const owner = roots.find(([, p]) => file.startsWith(p.root + '/'));
    if (owner) (projectFileMap[owner[0]] ??= []).push({ file, hash });
    else nonProjectFiles.push({ file, hash });
  }
  return { workspaceRoot: ws, projects, fileMap: { projectFileMap, nonProjectFiles } };
}
