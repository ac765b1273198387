import type { ProjectConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { pluginDependencies } from './plugin-dependencies';

/** A project whose targets run these executors; `executor>` marks a target with outputs (it makes files). */
const project = (root: string, executors: string[] = []): ProjectConfiguration => ({
  root,
  targets: Object.fromEntries(
    executors.map((e, i) => [`t${i}`, e.endsWith('>') ? { executor: e.slice(0, -1), outputs: ['{workspaceRoot}/dist/x'] } : { executor: e }]),
  ),
});

const projects = {
  'nx-microbox': project('tools/nx-microbox', ['nx:run-commands>']),
  basebox: project('libs/basebox', ['@microbox/nx-microbox:basebox-layout>', '@microbox/nx-microbox:push']),
  greeter: project('apps/greeter', ['@microbox/nx-microbox:go-build>', '@microbox/nx-microbox:image']),
  'go-service': project('libs/go/service', ['@microbox/nx-microbox:go-test', '@microbox/nx-microbox:go-vet']),
  image: project('libs/image', ['nx:run-commands>']),
  other: project('libs/other', ['@other/plugin:build>']),
};

describe('pluginDependencies', () => {
  it('makes every project for which this plugin makes files depend on the project holding the plugin', () => {
    const deps = pluginDependencies({ projects, workspaceRoot: '/ws' }, '/ws/tools/nx-microbox/src/graph');
    expect(deps.map((d) => `${d.source} -> ${d.target} (${d.type})`).sort()).toEqual(['basebox -> nx-microbox (implicit)', 'greeter -> nx-microbox (implicit)']);
  });

  it('finds the plugin project from where the plugin runs, not from its name', () => {
    const renamed = { ...projects, tooling: projects['nx-microbox'] };
    delete (renamed as Record<string, ProjectConfiguration>)['nx-microbox'];
    expect(new Set(pluginDependencies({ projects: renamed, workspaceRoot: '/ws' }, '/ws/tools/nx-microbox/src/graph').map((d) => d.target))).toEqual(new Set(['tooling']));
  });

  it('adds nothing when the plugin lives outside the workspace', () => {
    expect(pluginDependencies({ projects, workspaceRoot: '/ws' }, '/elsewhere/node_modules/@microbox/nx-microbox/src/graph')).toEqual([]);
  });

  it('finds this plugin in this workspace when run from its sources', () => {
    const here = pluginDependencies({ projects, workspaceRoot: `${__dirname}/../../../..` });
    expect(new Set(here.map((d) => d.target))).toEqual(new Set(['nx-microbox']));
  });
});
