import { describe, expect, it } from 'vitest';
import { localModulesFor, parseGoMod, resolveImport as resolve, type LocalModule } from './gomod';

const resolveImport = (importPath: string, modules: LocalModule[]) => resolve(importPath, modules)?.dir;

describe('parseGoMod', () => {
  it('reads module, go, single and block replaces with versions, quotes and comments', () => {
    const mod = parseGoMod(`// header
module "github.com/microbox/workspace" // quoted

go 1.26

require (
	example.com/x v1.2.3
)

replace example.com/extlib => ./libs/go/extlib
replace (
	example.com/pinned v1.0.0 => example.com/fork v1.0.1 // a module, not a folder
	example.com/up => ../outside
)
`);
    expect(mod.module).toBe('github.com/microbox/workspace');
    expect(mod.go).toBe('1.26');
    expect(mod.replaces).toEqual([
      { oldPath: 'example.com/extlib', oldVersion: undefined, newPath: './libs/go/extlib', newVersion: undefined, local: true },
      { oldPath: 'example.com/pinned', oldVersion: 'v1.0.0', newPath: 'example.com/fork', newVersion: 'v1.0.1', local: false },
      { oldPath: 'example.com/up', oldVersion: undefined, newPath: '../outside', newVersion: undefined, local: true },
    ]);
  });

  it('reads go.work use folders', () => {
    expect(parseGoMod('go 1.26\n\nuse (\n\t.\n\t./tools/x\n)\nuse ./y\n').uses).toEqual(['.', './tools/x', './y']);
  });
});

describe('localModulesFor and resolveImport', () => {
  const modules = localModulesFor({
    'go.mod': 'module example.com/ws\n\nreplace example.com/extlib => ./libs/go/extlib\nreplace example.com/gone => ../elsewhere\nreplace example.com/m v1 => example.com/n v2\n',
    'libs/go/extlib/go.mod': 'module example.com/extlib\n',
    'tools/nested/go.mod': 'module example.com/ws/tools/nested\n',
  })('apps/greeter/main.go');

  it('maps the main module, nested modules and local replaces to folders', () => {
    expect(resolveImport('example.com/ws', modules)).toBe('');
    expect(resolveImport('example.com/ws/apps/greeter', modules)).toBe('apps/greeter');
    expect(resolveImport('example.com/ws/libs/go/service/consul', modules)).toBe('libs/go/service/consul');
    expect(resolveImport('example.com/extlib', modules)).toBe('libs/go/extlib');
    expect(resolveImport('example.com/extlib/sub', modules)).toBe('libs/go/extlib/sub');
    expect(resolveImport('example.com/ws/tools/nested/pkg', modules)).toBe('tools/nested/pkg');
    expect(resolve('example.com/extlib/sub', modules)).toEqual({ dir: 'libs/go/extlib/sub', replacedIn: 'go.mod' });
    expect(resolve('example.com/ws/apps/greeter', modules)).toEqual({ dir: 'apps/greeter', replacedIn: undefined });
  });

  it('leaves the standard library, other modules, prefixes that are not path elements and outside folders alone', () => {
    expect(resolveImport('net/http', modules)).toBeUndefined();
    expect(resolveImport('example.com/wsx/a', modules)).toBeUndefined();
    expect(resolveImport('example.com/gone', modules)).toBeUndefined();
    expect(resolveImport('example.com/m', modules)).toBeUndefined();
  });

  it('lets the main module replace win over a nested go.mod claiming the same path', () => {
    const mods = localModulesFor({
      'go.mod': 'module example.com/ws\nreplace example.com/lib => ./libs/go/new\n',
      'libs/go/old/go.mod': 'module example.com/lib\n',
      'libs/go/new/go.mod': 'module example.com/lib\n',
    })('apps/x/main.go');
    expect(resolveImport('example.com/lib/x', mods)).toBe('libs/go/new/x');
  });
});

describe('localModulesFor: whose replace directives apply where', () => {
  const files = {
    'go.mod': 'module example.com/ws\nreplace example.com/lib => ./libs/go/new\n',
    'libs/go/old/go.mod': 'module example.com/lib\n',
    'libs/go/new/go.mod': 'module example.com/lib\n',
    'apps/own/go.mod': 'module example.com/own\nreplace (\n\texample.com/lib => ../../libs/go/old\n\texample.com/ws => ../..\n)\n',
    'apps/plain/go.mod': 'module example.com/plain\n',
  };
  const modulesOf = localModulesFor(files);

  it("resolves a file's imports with the replaces of the go.mod nearest above it, and no other's", () => {
    expect(resolveImport('example.com/lib/x', modulesOf('apps/greeter/main.go'))).toBe('libs/go/new/x');
    expect(resolve('example.com/lib/x', modulesOf('apps/own/main.go'))).toEqual({ dir: 'libs/go/old/x', replacedIn: 'apps/own/go.mod' });
    expect(resolveImport('example.com/lib/x', modulesOf('apps/own/internal/h/h.go'))).toBe('libs/go/old/x');
    expect(resolveImport('example.com/ws/libs/go/buildinfo', modulesOf('apps/own/main.go'))).toBe('libs/go/buildinfo');
    // No replace in its go.mod: the first go.mod claiming the path, as if it were used.
    expect(resolveImport('example.com/lib/x', modulesOf('apps/plain/main.go'))).toBe('libs/go/old/x');
    expect(resolveImport('example.com/own/internal/h', modulesOf('apps/greeter/main.go'))).toBe('apps/own/internal/h');
  });

  it('applies every module\'s replaces and the go.work\'s own everywhere in a go.work workspace', () => {
    const work = localModulesFor({
      'go.work': 'go 1.26\nuse (\n\t.\n\t./apps/own\n)\nreplace example.com/w => ./libs/go/w\n',
      'go.mod': 'module example.com/ws\n',
      'apps/own/go.mod': 'module example.com/own\nreplace example.com/lib => ../../libs/go/old\n',
    });
    expect(resolveImport('example.com/lib', work('apps/greeter/main.go'))).toBe('libs/go/old');
    expect(resolveImport('example.com/w/p', work('apps/own/main.go'))).toBe('libs/go/w/p');
  });
});
