import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveServiceSpec } from './resolve-spec';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resolve-spec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (path: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), '{}');
};
const resolve = (settings = {}) => resolveServiceSpec('catalog', dir, '/dist/catalog', settings);

describe('resolveServiceSpec', () => {
  it('builds a service with no template: no consul-template, no port, nothing in its environment', () => {
    const spec = resolve();
    expect(spec.templates).toEqual([]);
    expect(spec.ports).toEqual([]);
    expect(spec.env).toEqual({});
    expect(spec.files).toEqual([]);
  });

  it("finds consul-template's templates as consul/*.ctmpl, restarting the app by default; the service's own templates/ is its business", () => {
    put('consul/app.json.ctmpl');
    put('consul/notes.txt');
    put('templates/home.tmpl');
    put('templates/page.html');
    expect(resolve().templates).toEqual([{ source: 'consul/app.json.ctmpl', destination: '/run/catalog/app.json', reload: 'restart' }]);
  });

  it('keeps the templates option and its fields: reload is a per-template choice', () => {
    put('config/a.ctmpl');
    put('config/b.ctmpl');
    const spec = resolve({ templates: [{ source: 'config/a.ctmpl', reload: 'reload' }, { source: 'config/b.ctmpl', destination: '/run/catalog/b.conf' }] });
    expect(spec.templates).toEqual([
      { source: 'config/a.ctmpl', destination: '/run/catalog/a', reload: 'reload' },
      { source: 'config/b.ctmpl', destination: '/run/catalog/b.conf', reload: 'restart' },
    ]);
  });

  it('names the folder where consul-template templates belong when a listed one is missing', () => {
    expect(() => resolve({ templates: [{ source: 'templates/app.json.tmpl' }] })).toThrow(
      `template templates/app.json.tmpl of catalog does not exist in ${dir}: consul-template's templates are consul/<file>.ctmpl there, or list yours in the templates option`,
    );
  });

  it('exposes the port or ports given, each once, and refuses one that is not a TCP port', () => {
    expect(resolve({ port: 3550 }).ports).toEqual([3550]);
    expect(resolve({ port: [3550, 8080, 3550] }).ports).toEqual([3550, 8080]);
    expect(() => resolve({ port: 70000 })).toThrow('port 70000 of catalog is not a TCP port: use 1 to 65535');
    expect(() => resolve({ port: [3550, 0] })).toThrow('port 0 of catalog');
  });

  it('takes files as plain relative paths, once each, a trailing slash dropped', () => {
    expect(resolve({ files: ['products.json', 'static/', 'static', 'templates'] }).files).toEqual(['products.json', 'static', 'templates']);
  });

  it.each(['/etc/passwd', '../secret', 'static/../../x', './static', '', 'a//b'])('refuses the files entry %j, naming it and the fix', (entry) => {
    expect(() => resolve({ files: [entry] })).toThrow(`files entry ${JSON.stringify(entry)} of catalog is not a path inside the service folder: give it relative to apps/catalog`);
  });
});
