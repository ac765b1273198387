import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { goProjectConfiguration, goProjectRootOf, inferGoProjects } from './go-projects';
import { listFiles } from './testing/graph-fixture';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'go-projects-'));
  writeGoFixture(ws, { withCgo: true });
  writeFiles(ws, {
    'apps/notmain/lib.go': 'package notmain\n',
    'apps/tool/gen.go': '//go:build ignore\n\npackage main\n',
    'apps/tool/tool.go': 'package tool\n',
    'tools/scripts/x.go': 'package x\n',
    'libs/other/x.go': 'package x\n',
  });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('inferGoProjects', () => {
  it('makes a project per service folder and per shared package tree, nested packages included', () => {
    const projects = inferGoProjects(ws, listFiles(ws).filter((f) => f.endsWith('.go')));
    expect(projects.map((p) => [p.root, p.name, p.kind, p.isMain])).toEqual([
      ['apps/alpha', 'alpha', 'app', true],
      ['apps/beta', 'beta', 'app', true],
      ['apps/cgoapp', 'cgoapp', 'app', true],
      ['apps/gamma', 'gamma', 'app', true],
      ['apps/notmain', 'notmain', 'app', false],
      ['apps/tool', 'tool', 'app', false],
      ['libs/go/buildinfo', 'go-buildinfo', 'lib', false],
      ['libs/go/extlib', 'go-extlib', 'lib', false],
      ['libs/go/native', 'go-native', 'lib', false],
      ['libs/go/shared', 'go-shared', 'lib', false],
    ]);
  });

  it('places nested packages in their project and ignores testdata, _ and . folders and Go elsewhere', () => {
    expect(goProjectRootOf('apps/alpha/internal/handler/handler.go')).toBe('apps/alpha');
    expect(goProjectRootOf('libs/go/shared/nested/deep/deep.go')).toBe('libs/go/shared');
    expect(goProjectRootOf('libs/go/shared/testdata/ignored.go')).toBeUndefined();
    expect(goProjectRootOf('apps/alpha/_old/x.go')).toBeUndefined();
    expect(goProjectRootOf('tools/scripts/x.go')).toBeUndefined();
    expect(goProjectRootOf('libs/other/x.go')).toBeUndefined();
    expect(goProjectRootOf('main.go')).toBeUndefined();
  });
});

describe('goProjectConfiguration', () => {
  it('gives services go-build, image, push, go-test and go-vet, and shared packages go-test and go-vet, all cached on Go inputs', () => {
    const [alpha] = inferGoProjects(ws, ['apps/alpha/main.go']);
    const app = goProjectConfiguration(alpha);
    expect(Object.keys(app.targets!)).toEqual(['go-build', 'image', 'push', 'go-test', 'go-vet']);
    expect(app.targets!['push']).toEqual(expect.objectContaining({ executor: '@microbox/nx-microbox:push', dependsOn: ['image'], cache: false }));
    expect(app.targets!['image']).toMatchObject({
      executor: '@microbox/nx-microbox:image',
      dependsOn: ['go-build', { projects: ['basebox'], target: 'image' }],
      outputs: ['{workspaceRoot}/dist/images/alpha.json'],
      cache: false,
    });
    expect(app).toMatchObject({ name: 'alpha', projectType: 'application', tags: ['lang:go', 'type:app'] });
    expect(app.targets!['go-build']).toMatchObject({
      executor: '@microbox/nx-microbox:go-build',
      options: { main: 'apps/alpha', outputPath: 'dist/apps/alpha' },
      outputs: ['{options.outputPath}'],
      cache: true,
    });
    const inputs = app.targets!['go-build'].inputs!;
    expect(inputs).toContain('goSources');
    expect(inputs).toContain('^goSources');
    expect(inputs).toContain('{workspaceRoot}/go.sum');
    expect(app.namedInputs!.goSources).toContain('!{projectRoot}/**/*.md');

    const [shared] = inferGoProjects(ws, ['libs/go/shared/shared.go']);
    const lib = goProjectConfiguration(shared);
    expect(Object.keys(lib.targets!)).toEqual(['go-test', 'go-vet']);
    expect(lib).toMatchObject({ name: 'go-shared', projectType: 'library', tags: ['lang:go', 'type:lib'] });
    expect(lib.targets!['go-test'].options).toEqual({ root: 'libs/go/shared' });
  });
});
