import type { ProjectConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { imageDependencies } from './image-dependencies';

const project = (root: string, targets: ProjectConfiguration['targets'] = {}): ProjectConfiguration => ({ root, targets });
const onBase = (target: string, projects: string | string[] = ['basebox']) => ({ executor: '@microbox/nx-microbox:service-layout', dependsOn: ['go-build', { projects, target }] });

describe('imageDependencies', () => {
  it('makes every project whose image builds on a basebox target depend on basebox', () => {
    const projects = {
      basebox: project('libs/basebox', { layout: { executor: '@microbox/nx-microbox:basebox-layout' } }),
      greeter: project('apps/greeter', { layout: onBase('layout') }),
      gateway: project('apps/gateway', { image: onBase('image', 'basebox') }),
      'go-service': project('libs/go/service', { 'go-test': { executor: '@microbox/nx-microbox:go-test' } }),
      other: project('apps/other', { build: { dependsOn: ['^build', { projects: ['go-service'], target: 'go-test' }] } }),
    };
    expect(imageDependencies({ projects })).toEqual([
      { source: 'greeter', target: 'basebox', type: 'implicit' },
      { source: 'gateway', target: 'basebox', type: 'implicit' },
    ]);
  });

  it('adds nothing in a workspace without basebox', () => {
    expect(imageDependencies({ projects: { greeter: project('apps/greeter', { layout: onBase('layout') }) } })).toEqual([]);
  });
});
