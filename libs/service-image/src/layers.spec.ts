import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageEntry } from '../../image/src/entries';
import { serviceFiles, serviceLayers } from './layers';
import type { ServiceSpec } from './service-spec';

// A service folder inside a parent folder, so a link can leave it for a file next door.
let parent: string;
let dir: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'layers-'));
  dir = join(parent, 'catalog');
  mkdirSync(dir);
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

const put = (path: string, content: string | Buffer = 'x', mode = 0o644) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
  chmodSync(join(dir, path), mode);
};

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name: 'catalog',
  binary: '/dist/catalog',
  templates: [],
  giveUpCode: 78,
  configWaitSeconds: 30,
  ports: [],
  env: {},
  files: [],
  ...over,
});

const layer = (s: ServiceSpec, name: string) => serviceLayers(s, dir, Buffer.from('ELF')).layers.find((l) => l.name === name);
const file = (entries: ImageEntry[] | undefined, path: string) => entries?.find((e) => e.path === path);

describe('the files layer', () => {
  it('ships listed files and folders byte for byte with the modes git records under /srv/<svc>, between the scripts and the binary', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);
    put('products.json', '{"products":[]}');
    put('static/logo.png', png);
    put('static/css/style.css', 'body{}');
    put('templates/home.html', '<p>{{.}}</p>');
    put('bin/tool.sh', '#!/bin/sh\n', 0o750);
    const { layers } = serviceLayers(spec({ files: ['products.json', 'static', 'templates', 'bin/tool.sh'] }), dir, Buffer.from('ELF'));
    expect(layers.map((l) => l.name)).toEqual(['s6 scripts', 'files', 'binary']);
    const entries = layers[1]!.entries;
    expect(file(entries, '/srv/catalog/static/logo.png')).toEqual({ type: 'file', path: '/srv/catalog/static/logo.png', content: png, mode: 0o644 });
    expect(file(entries, '/srv/catalog/bin/tool.sh')).toMatchObject({ mode: 0o755 });
    expect(entries.map((e) => e.path).sort()).toEqual([
      '/srv/catalog',
      '/srv/catalog/bin/tool.sh',
      '/srv/catalog/products.json',
      '/srv/catalog/static',
      '/srv/catalog/static/css',
      '/srv/catalog/static/css/style.css',
      '/srv/catalog/static/logo.png',
      '/srv/catalog/templates',
      '/srv/catalog/templates/home.html',
    ]);
  });

  it('leaves .env, keys, id_*, Go tests and e2e/ out of a listed folder, and says which; listed by their own path they ship', () => {
    for (const f of ['static/.env', 'static/tls.pem', 'static/tls.key', 'static/id_ed25519', 'static/web_test.go', 'static/e2e/a.ts', 'static/ok.txt', 'conf/.env']) put(f);
    const { layers, leftOut } = serviceLayers(spec({ files: ['static', 'conf/.env'] }), dir, Buffer.from('ELF'));
    const paths = layers[1]!.entries.map((e) => e.path);
    expect(paths).toContain('/srv/catalog/static/ok.txt');
    expect(paths).toContain('/srv/catalog/conf/.env');
    expect(paths.filter((p) => /\.env$|\.pem$|\.key$|id_|_test\.go$|e2e/.test(p))).toEqual(['/srv/catalog/conf/.env']);
    expect(leftOut.sort()).toEqual(['static/.env', 'static/e2e/', 'static/id_ed25519', 'static/tls.key', 'static/tls.pem', 'static/web_test.go']);

    const listed = serviceLayers(spec({ files: ['static', 'static/tls.pem'] }), dir, Buffer.from('ELF'));
    expect(listed.leftOut).not.toContain('static/tls.pem');
    expect(listed.layers[1]!.entries.map((e) => e.path)).toContain('/srv/catalog/static/tls.pem');
  });

  it('follows a link that stays inside the service folder: the bytes it points at ship at its path', () => {
    put('assets/logo.png', 'PNG');
    mkdirSync(join(dir, 'static'));
    symlinkSync('../assets/logo.png', join(dir, 'static/logo.png'));
    symlinkSync('../assets', join(dir, 'static/more'));
    const entries = layer(spec({ files: ['static'] }), 'files')!.entries;
    expect(file(entries, '/srv/catalog/static/logo.png')).toMatchObject({ type: 'file', content: Buffer.from('PNG') });
    expect(file(entries, '/srv/catalog/static/more/logo.png')).toMatchObject({ type: 'file', content: Buffer.from('PNG') });
  });

  it.each([
    { what: 'a listed file', files: ['secret.txt'], link: 'secret.txt', refused: 'files entry secret.txt resolves to' },
    { what: 'a file inside a listed folder', files: ['static'], link: 'static/secret.txt', refused: 'files entry static/secret.txt resolves to' },
  ])('refuses $what linked outside the service folder, naming it, before any layer is made', ({ files, link, refused }) => {
    writeFileSync(join(parent, 'secret.txt'), 'outside');
    mkdirSync(join(dir, 'static'), { recursive: true });
    symlinkSync(join(parent, 'secret.txt'), join(dir, link));
    expect(() => serviceLayers(spec({ files }), dir, Buffer.from('ELF'))).toThrow(refused);
    expect(() => serviceLayers(spec({ files }), dir, Buffer.from('ELF'))).toThrow(/outside .*catalog: only files inside the service folder ship/);
  });

  it('refuses a link to a folder that holds it, and a listed path that does not exist, naming them', () => {
    mkdirSync(join(dir, 'static'));
    symlinkSync('..', join(dir, 'static/up'));
    expect(() => serviceLayers(spec({ files: ['static'] }), dir, Buffer.from('ELF'))).toThrow('files entry static/up/static of');
    expect(() => serviceLayers(spec({ files: ['nope.json'] }), dir, Buffer.from('ELF'))).toThrow(`files entry nope.json does not exist in ${dir}`);
  });

  it('is not made when nothing is listed: the working directory is in the scripts layer', () => {
    const { layers } = serviceLayers(spec(), dir, Buffer.from('ELF'));
    expect(layers.map((l) => l.name)).toEqual(['s6 scripts', 'binary']);
    expect(file(layers[0]!.entries, '/srv/catalog')).toEqual({ type: 'directory', path: '/srv/catalog', mode: 0o755 });
  });
});

describe('templates and s6 overrides pass the same check', () => {
  it('a template linked outside the service folder is refused by name', () => {
    writeFileSync(join(parent, 'other.ctmpl'), '{}');
    mkdirSync(join(dir, 'consul'));
    symlinkSync(join(parent, 'other.ctmpl'), join(dir, 'consul/app.json.ctmpl'));
    const s = spec({ templates: [{ source: 'consul/app.json.ctmpl', destination: '/run/catalog/app.json', reload: 'restart' }] });
    expect(() => serviceLayers(s, dir, Buffer.from('ELF'))).toThrow('template consul/app.json.ctmpl resolves to');
  });

  it('an s6 override linked outside is refused; one linked inside ships as the bytes it points at', () => {
    put('scripts/run', '#!/bin/sh\nexec custom\n', 0o755);
    mkdirSync(join(dir, 's6/app'), { recursive: true });
    symlinkSync('../../scripts/run', join(dir, 's6/app/run'));
    expect(serviceFiles(spec(), dir).files.find((f) => f.path === 'app/run')).toEqual({ path: 'app/run', content: Buffer.from('#!/bin/sh\nexec custom\n'), mode: 0o755 });
    writeFileSync(join(parent, 'finish'), '#!/bin/sh\n');
    symlinkSync(join(parent, 'finish'), join(dir, 's6/app/finish'));
    expect(() => serviceFiles(spec(), dir)).toThrow('s6 override s6/app/finish resolves to');
  });

  it('a service with no template has no consul-template dir, config or templates in its scripts layer', () => {
    const paths = layer(spec(), 's6 scripts')!.entries.map((e) => e.path);
    expect(paths).toEqual(['/etc/s6/app/finish', '/etc/s6/app/run', '/srv/catalog']);
  });
});

describe('modes', () => {
  it('are the ones git records, whatever the checkout umask gave: the same layers from a 0002, 0022 or 0077 checkout', () => {
    const checkout = (file: number, script: number, folder: number) => {
      put('data/products.json', '{}', file);
      put('data/run.sh', '#!/bin/sh\n', script);
      chmodSync(join(dir, 'data'), folder);
      put('s6/app/run', '#!/bin/sh\nexec custom\n', script);
      return serviceLayers(spec({ files: ['data'] }), dir, Buffer.from('ELF')).layers.map((l) => l.entries);
    };
    const umask022 = checkout(0o644, 0o755, 0o755);
    expect(checkout(0o664, 0o775, 0o775)).toEqual(umask022);
    expect(checkout(0o600, 0o700, 0o700)).toEqual(umask022);
    expect(file(umask022[1], '/srv/catalog/data/products.json')).toMatchObject({ mode: 0o644 });
    expect(file(umask022[1], '/srv/catalog/data/run.sh')).toMatchObject({ mode: 0o755 });
    expect(file(umask022[1], '/srv/catalog/data')).toMatchObject({ mode: 0o755 });
  });
});
