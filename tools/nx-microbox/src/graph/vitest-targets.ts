import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';

/** True when `dir` holds, at any depth, a file whose name ends with `suffix`. */
function hasFileEndingWith(dir: string, suffix: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? hasFileEndingWith(path, suffix) : entry.name.endsWith(suffix)) {
      return true;
    }
  }
  return false;
}

/**
 * The vitest targets a TypeScript project gets from its files: `test` when
 * src/ holds *.spec.ts (the fast unit tests), `e2e` when e2e/ holds *.e2e.ts
 * (real Docker, real Consul; never cached, since they prove a live system).
 */
export function inferVitestTargets(
  workspaceRoot: string,
  projectRoot: string,
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const abs = join(workspaceRoot, projectRoot);
  if (hasFileEndingWith(join(abs, 'src'), '.spec.ts')) {
    targets['test'] = {
      command: `vitest run --project unit ${projectRoot}/`,
      options: { cwd: '{workspaceRoot}' },
      cache: true,
      inputs: ['default', '^production', { externalDependencies: ['vitest'] }],
      metadata: { description: 'Unit tests (vitest project "unit")' },
    };
  }
  if (hasFileEndingWith(join(abs, 'e2e'), '.e2e.ts')) {
    targets['e2e'] = {
      command: `vitest run --project e2e ${projectRoot}/`,
      options: { cwd: '{workspaceRoot}' },
      cache: false,
      metadata: { description: 'End-to-end tests against a real Docker engine and Consul' },
    };
  }
  return targets;
}
