import { dirname } from 'node:path';
import { createNodesFromFiles, type CreateNodesV2 } from '@nx/devkit';
import { inferVitestTargets } from './graph/vitest-targets';

const PROJECT_FILES = '{apps,libs,tools}/*/project.json';

/** Targets inferred from what a project holds, so a new project needs no registration. */
export const createNodesV2: CreateNodesV2 = [
  PROJECT_FILES,
  (files, options, context) =>
    createNodesFromFiles(
      (file, _options, ctx) => {
        const root = dirname(file);
        return { projects: { [root]: { targets: inferVitestTargets(ctx.workspaceRoot, root) } } };
      },
      files,
      options,
      context,
    ),
];
