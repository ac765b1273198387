import type { ProjectConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { imageDependencies } from './image-dependencies';

const project = (root: string, targets: ProjectConfiguration['targets'] = {}): ProjectConfiguration => ({ root, targets });

describe('imageDependencies', () => {
  it('makes every project with a service image depend on basebox', () => {
    const projects = {
      basebox: project('libs/basebox', { image: { executor: '@microbox/nx-microbox:basebox-image' } }),
      greeter: project('apps/greeter', { image: { executor: '@microbox/nx-microbox:image' } }),
      gateway: project('apps/gateway', { image: { executor: '@microbox/nx-microbox:image' } }),
      'go-service': project('libs/go/service', { 'go-test': { executor: '@microbox/nx-microbox:go-test' } }),
    };
    expect(imageDependencies({ projects })).toEqual([
      { source: 'greeter', target: 'basebox', type: 'implicit' },
      { source: 'gateway', target: 'basebox', type: 'implicit' },
    ]);
  });

  it('adds nothing in a workspace without basebox', () => {
    expect(imageDependencies({ projects: { greeter: project('apps/greeter', { image: { executor: '@microbox/nx-microbox:image' } }) } })).toEqual([]);
  });
});
