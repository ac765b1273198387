import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';

/**
 * The `files` a service's project.json lists for its image
 * (targets.layout.options.files), as inputs of the layout target: a listed
 * file ships in the image whatever its name, so one that the `production`
 * input leaves out (a README, something under e2e/) must still make the
 * cached layout stale when it changes. Unreadable or odd values give none:
 * the executor refuses them by name when it runs.
 */
export function listedFileInputs(workspaceRoot: string, projectRoot: string): string[] {
  const file = join(workspaceRoot, projectRoot, 'project.json');
  if (!existsSync(file)) return [];
  let files: unknown;
  try {
    files = (JSON.parse(readFileSync(file, 'utf8')) as { targets?: Record<string, TargetConfiguration> }).targets?.['layout']?.options?.files;
  } catch {
    return [];
  }
  if (!Array.isArray(files)) return [];
  return files
    .filter((f): f is string => typeof f === 'string' && f.length > 0)
    .flatMap((f) => {
      const path = f.replace(/^\.\/+/, '').replace(/\/+$/, '');
      // A file, or every file under a folder: Nx matches both patterns against files only.
      return [`{projectRoot}/${path}`, `{projectRoot}/${path}/**/*`];
    });
}
