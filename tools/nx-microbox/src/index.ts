import type { CreateDependencies, CreateNodes } from '@nx/devkit';
import { createDependencies as createDependenciesInternal } from './graph/create-dependencies';
import { createNodesInternal, PROJECT_GLOB } from './graph/create-nodes';
import type { MicroboxPluginOptions } from './graph/plugin-options';

export type { MicroboxPluginOptions } from './graph/plugin-options';

/**
 * Targets inferred from what a project holds, so a new project needs no registration:
 * vitest targets for every `{apps,libs,tools}/<name>/project.json`, and Go
 * projects (go-build, go-test, go-vet) for Go code under `apps/<svc>/` and
 * `libs/go/<name>/`, which need no project.json at all.
 */
export const createNodes: CreateNodes<MicroboxPluginOptions> = [PROJECT_GLOB, createNodesInternal];

/** The same, under the name Nx 20-22 read. */
export const createNodesV2 = createNodes;

/** Edges from Go imports, to the base image and to this plugin (TypeScript imports are Nx's own analysis). */
export const createDependencies: CreateDependencies<MicroboxPluginOptions> = createDependenciesInternal;
