import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFiles, writeGoFixture } from '../../../../libs/gobuild/src/testing/go-fixture';
import { OWN_MODULE_FIXTURE } from '../../../../libs/gobuild/src/testing/own-module-fixture';
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
  it('gives services go-build, layout, image, push, go-test and go-vet, and shared packages go-test and go-vet, all cached on Go inputs', async () => {
    const [alpha] = inferGoProjects(ws, ['apps/alpha/main.go']);
    const app = goProjectConfiguration(alpha);
    expect(Object.keys(app.targets!)).toEqual(['go-build', 'layout', 'image', 'push', 'go-test', 'go-vet']);
    // The layout is cached: a pure function of the service folder, the code that makes images, the binary and the base.
    expect(app.targets!['layout']).toMatchObject({
      executor: '@microbox/nx-microbox:service-layout',
      dependsOn: ['go-build', { projects: ['basebox'], target: 'layout' }],
      options: { baseRecord: 'dist/images/basebox.json' },
      outputs: ['{workspaceRoot}/dist/images/alpha', '{workspaceRoot}/dist/images/alpha.json', '{workspaceRoot}/dist/images/alpha.cdx.json', '{workspaceRoot}/dist/images/alpha.linux-*.cdx.json'],
      cache: true,
    });
    const [production, upstream, binary, state, remote] = app.targets!['layout'].inputs! as [string, string, unknown, { runtime: string }, { runtime: string }];
    expect([production, upstream, binary]).toEqual(['production', '^production', { dependentTasksOutputFiles: '**/*' }]);
    // The git state of everything that names the image (its tag and revision label): the service folder with its project.json, the code that makes images.
    expect(state.runtime).toMatch(/^git log -1 --format=%H -- 'apps\/alpha' .*'libs' .*'tools' .*; git status --porcelain/);
    expect(state.runtime).not.toContain("exclude)apps/alpha/project.json");
    // The source label's remote, without user-info: a token never reaches Nx's hash details.
    const { execSync } = await import('node:child_process');
    const repo = mkdtempSync(join(tmpdir(), 'remote-'));
    execSync('git init -q && git remote add origin https://ci:tok3n@git.example.com/org/repo.git', { cwd: repo });
    expect(execSync(remote.runtime, { cwd: repo, encoding: 'utf8' }).trim()).toBe('https://git.example.com/org/repo.git');
    rmSync(repo, { recursive: true, force: true });
    // Loading and pushing act outside the workspace: never cached, both from the layout.
    expect(app.targets!['image']).toMatchObject({ executor: '@microbox/nx-microbox:load', dependsOn: ['layout'], cache: false });
    expect(app.targets!['push']).toEqual(expect.objectContaining({ executor: '@microbox/nx-microbox:push', dependsOn: ['layout'], cache: false }));
    expect(app).toMatchObject({ name: 'alpha', projectType: 'application', tags: ['lang:go', 'type:app'] });
    expect(app.targets!['go-build']).toMatchObject({
      executor: '@microbox/nx-microbox:go-build',
      // Built for linux/arm64 too, beside the primary linux/amd64: the image is an index of both.
      options: { main: 'apps/alpha', outputPath: 'dist/apps/alpha', platforms: ['linux/arm64'] },
      outputs: ['{options.outputPath}'],
      cache: true,
    });
    const inputs = app.targets!['go-build'].inputs!;
    expect(inputs).toContain('goSources');
    expect(inputs).toContain('^goSources');
    expect(inputs).toContain('{workspaceRoot}/go.sum');
    // The stamp's git state (last commit, uncommitted files) of the project and the shared Go packages: committing dirty sources is a cache miss.
    const stamp = inputs.find((i): i is { runtime: string } => typeof i === 'object' && 'runtime' in i && i.runtime.startsWith('git log'))!;
    expect(stamp.runtime).toMatch(/^git log -1 --format=%H -- 'apps\/alpha' .*'libs\/go' .*'go\.mod' 'go\.sum'.*; git status --porcelain --untracked-files=normal -- /);
    expect(app.namedInputs!.goSources).toContain('!{projectRoot}/**/*.md');

    const [shared] = inferGoProjects(ws, ['libs/go/shared/shared.go']);
    const lib = goProjectConfiguration(shared);
    expect(Object.keys(lib.targets!)).toEqual(['go-test', 'go-vet']);
    expect(lib).toMatchObject({ name: 'go-shared', projectType: 'library', tags: ['lang:go', 'type:lib'] });
    expect(lib.targets!['go-test'].options).toEqual({ root: 'libs/go/shared' });
  });
});

describe('a project with its own go.mod', () => {
  let own: string;
  beforeAll(() => {
    own = mkdtempSync(join(tmpdir(), 'go-projects-own-'));
    writeGoFixture(own);
    writeFiles(own, OWN_MODULE_FIXTURE);
  });
  afterAll(() => rmSync(own, { recursive: true, force: true }));

  it('is a service like the others, whose Go inputs are its own module files and the go.mod it replaces, not the root go.mod', () => {
    const projects = inferGoProjects(own, listFiles(own).filter((f) => f.endsWith('.go')));
    const delta = projects.find((p) => p.name === 'delta')!;
    expect(delta).toMatchObject({ root: 'apps/delta', kind: 'app', isMain: true, ownModule: { dir: 'apps/delta', path: 'example.com/delta', replacedGoMods: ['libs/go/extlib/go.mod'] } });
    expect(projects.find((p) => p.name === 'alpha')!.ownModule).toBeUndefined();

    const config = goProjectConfiguration(delta);
    expect(Object.keys(config.targets!)).toEqual(expect.arrayContaining(['go-build', 'image', 'push', 'go-test', 'go-vet']));
    for (const target of ['go-build', 'go-test', 'go-vet']) {
      const inputs = config.targets![target].inputs!;
      expect(inputs).toEqual(expect.arrayContaining(['goSources', '^goSources', '{workspaceRoot}/libs/go/extlib/go.mod', '{workspaceRoot}/go.work']));
      expect(inputs).not.toContain('{workspaceRoot}/go.mod');
      expect(inputs).not.toContain('{workspaceRoot}/go.sum');
    }
    // Its own go.mod and go.sum are among its sources.
    expect(config.namedInputs!.goSources).toContain('{projectRoot}/**/*');
    expect(config.targets!['go-test'].metadata!.description).toBe('(cd apps/delta) go test ./...');
    expect(goProjectConfiguration(projects.find((p) => p.name === 'alpha')!).targets!['go-build'].inputs).toContain('{workspaceRoot}/go.mod');
  });
});
