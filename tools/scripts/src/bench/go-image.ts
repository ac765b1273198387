import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../../../../libs/image/src/blob-store';
import { loadIntoDaemon } from '../../../../libs/image/src/daemon';
import type { Engine } from '../../../../libs/image/src/engine';
import type { ImageEntry } from '../../../../libs/image/src/entries';
import { readImage, writeImage } from '../../../../libs/image/src/image';
import { buildLayer } from '../../../../libs/image/src/layer';
import type { BuildRecord } from '../../../../libs/image/src/record';
import { run } from './run';

/** What a build never reads: Go's own tests, docs and API lists (a third of GOROOT). */
const SKIPPED_IN_GOROOT = new Set(['test', 'api', 'doc', 'misc']);

/** Every file, folder and symlink under `dir`, at `into` in the image, with its mode; tests and testdata left out. */
async function treeEntries(dir: string, into: string, skipTop: ReadonlySet<string> = new Set()): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [{ type: 'directory', path: into }];
  const walk = async (rel: string) => {
    for (const name of await readdir(join(dir, rel))) {
      if ((!rel && skipTop.has(name)) || name === 'testdata' || name.endsWith('_test.go')) continue;
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = join(dir, relPath);
      const path = `${into}/${relPath}`;
      const st = await lstat(abs);
      if (st.isSymbolicLink()) entries.push({ type: 'symlink', path, target: await readlink(abs) });
      else if (st.isDirectory()) {
        entries.push({ type: 'directory', path, mode: st.mode & 0o7777 });
        await walk(relPath);
      } else if (st.isFile()) entries.push({ type: 'file', path, content: await readFile(abs), mode: st.mode & 0o7777 });
    }
  };
  await walk('');
  return entries;
}

/** The modules outside the main module that a package's build needs, with their folders in the module cache. */
async function neededModules(workspace: string, pkg: string): Promise<{ path: string; version: string; dir: string }[]> {
  const out = await run('go', ['list', '-deps', '-f', '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}', pkg], { cwd: workspace });
  const seen = new Map<string, { path: string; version: string; dir: string }>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [path, version, dir] = line.split(' ');
    if (path && version && dir) seen.set(`${path}@${version}`, { path, version, dir });
  }
  return [...seen.values()];
}

export interface GoImage {
  tag: string;
  goVersion: string;
  modules: number;
  seconds: number;
}

/**
 * `microbox-bench/go:<go version>`: a build stage for a Dockerfile, since
 * nothing can be pulled here. Our base plus one layer holding the host's Go
 * toolchain (without its tests and docs) and the module-cache folders the
 * service's build needs, written with libs/image and loaded into the daemon.
 */
export async function makeGoImage(o: { workspace: string; pkg: string; base: BuildRecord; store: BlobStore; engine: Engine }): Promise<GoImage> {
  const started = Date.now();
  const goroot = (await run('go', ['env', 'GOROOT'], { cwd: o.workspace })).trim();
  const goVersion = (await run('go', ['env', 'GOVERSION'], { cwd: o.workspace })).trim();
  const modCache = (await run('go', ['env', 'GOMODCACHE'], { cwd: o.workspace })).trim();
  const modules = await neededModules(o.workspace, o.pkg);
  const entries: ImageEntry[] = [
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'directory', path: 'go/pkg/mod' },
    ...(await treeEntries(goroot, 'usr/local/go', SKIPPED_IN_GOROOT)),
  ];
  for (const m of modules) entries.push(...(await treeEntries(m.dir, `go/pkg/mod/${m.dir.slice(modCache.length + 1)}`)));
  const layer = await buildLayer(o.store, entries, { mtime: new Date('2026-01-01T00:00:00Z') });
  const base = await readImage(o.store, o.base.manifest);
  const image = await writeImage(o.store, {
    base,
    layers: [layer],
    config: {
      platform: base.manifest.platform!,
      created: '2026-01-01T00:00:00Z',
      env: {
        PATH: '/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        GOPATH: '/go',
        GOCACHE: '/tmp/go-build',
        GOPROXY: 'off',
        GOSUMDB: 'off',
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-buildvcs=false',
        CGO_ENABLED: '0',
      },
    },
    history: [`microbox-bench: ${goVersion} and ${modules.length} modules`],
  });
  const tag = `microbox-bench/go:${goVersion}`;
  await loadIntoDaemon(o.engine, o.store, image, [tag]);
  return { tag, goVersion, modules: modules.length, seconds: (Date.now() - started) / 1000 };
}
