import type { CreateNodes } from '@nx/devkit';
import { createNodesInternal, PROJECT_GLOB } from './graph/create-nodes';

export { createDependencies } from './graph/create-dependencies';

/**
 * Targets inferred from what a project holds, so a new project needs no registration:
 * vitest targets for every `{apps,libs,tools}/<name>/project.json`, and Go
 * projects (go-build, go-test, go-vet) for Go code under `apps/<svc>/` and
 * `libs/go/<name>/`, which need no project.json at all.
 */
export const createNodes: CreateNodes = [PROJECT_GLOB, createNodesInternal];

/** The same, under the name Nx 20-22 read. */
export const createNodesV2 = createNodes;
