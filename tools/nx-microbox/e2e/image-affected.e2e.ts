import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../libs/image/src/engine';
import { layoutDigest, nxTasks } from './nx-tasks';
import { cloneWorkspace, guardDaemonTags, imageIds, type WorkspaceClone } from './workspace-clone';

// `nx affected -t image` on a real git history (a temporary clone of this
// workspace): which images are actually made again, read from the build
// records (a new manifest digest: the same sources give the same digest)
// and from Nx's and the executors' own words (the layout executor ran and
// printed that digest, against a cache hit or no run at all), not only from
// which projects Nx lists.

let ws: WorkspaceClone;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;
let services: string[];
const timings: string[] = [];

const digests = () => Object.fromEntries(Object.entries(ws.records()).map(([project, r]) => [project, r.manifest.digest]));
const ids = () => imageIds(Object.values(ws.records()));

beforeAll(async () => {
  ws = cloneWorkspace('image-affected');
  services = (JSON.parse(ws.nx('show', 'projects', '--with-target', 'image', '--json')) as string[]).filter((p) => p !== 'basebox').sort();
  guard = await guardDaemonTags(await connectEngine(), services, ws.ownTags);
  // Every image once, from the clone's first commit: the state CI starts from.
  const started = Date.now();
  ws.nx('run-many', '-t', 'image', '--outputStyle=static');
  timings.push(`first run-many -t image (a fresh Nx cache, the machine's blob store): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  guard.built(ids());
});
afterAll(async () => {
  if (timings.length) console.log(`image targets:\n  ${timings.join('\n  ')}`);
  // What a failed run loaded is undone too: its records name it.
  if (ws) guard?.built(ids());
  await guard?.restore();
  ws?.cleanup();
});

/**
 * Commits a change, runs `nx affected -t image` between the commit before
 * and this one, and says which images were made again: those whose record
 * names a new manifest digest, each printed by its layout executor, which
 * Nx ran (no cache hit). A project whose digest stayed was not run by Nx,
 * or came from the cache with that same digest.
 */
function imagesRebuiltBy(what: string, change: () => void): string[] {
  const before = digests();
  change();
  ws.commit(what);
  const started = Date.now();
  const out = ws.nx('affected', '-t', 'image', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static');
  timings.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const after = digests();
  guard.built(ids());
  const tasks = nxTasks(out);
  const rebuilt = Object.keys(after).filter((p) => after[p] !== before[p]).sort();
  for (const project of Object.keys(after)) {
    const layout = tasks.get(`${project}:layout`);
    if (rebuilt.includes(project)) {
      expect(layout?.cache, `${project}:layout ran, not from the cache`).toBeUndefined();
      expect(layoutDigest(project, layout?.output ?? ''), `${project}'s layout executor printed its new digest`).toBe(after[project]);
    } else if (layout) {
      expect(layout.cache, `${project}:layout, unchanged, came from the cache`).toBeDefined();
      expect(layoutDigest(project, layout.output), `${project}'s replayed digest`).toBe(before[project]);
    }
  }
  return rebuilt;
}

const append = (file: string, text: string) => () => appendFileSync(join(ws.dir, file), text);

describe('nx affected -t image on a real git history', () => {
  it('with nothing changed, run-many -t image takes every layout from the cache and loads nothing', () => {
    const before = digests();
    const started = Date.now();
    const out = ws.nx('run-many', '-t', 'image', '--outputStyle=static');
    timings.push(`run-many -t image, nothing changed: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(digests()).toEqual(before);
    const tasks = nxTasks(out);
    for (const project of ['basebox', ...services]) {
      expect(tasks.get(`${project}:layout`)?.cache, `${project}:layout from the cache`).toMatch(/cache/);
      const load = tasks.get(`${project}:image`);
      expect(load?.cache, `${project}:image ran`).toBeUndefined();
      expect(load?.output, `${project}:image loaded nothing`).toMatch(new RegExp(`^${project}: sha256:[0-9a-f]{12} already in the daemon`, 'm'));
    }
  });

  it('makes no image again when nothing changed', () => {
    expect(imagesRebuiltBy('nothing changed', () => {})).toEqual([]);
  });

  it('makes only greeter again when greeter changes', () => {
    expect(imagesRebuiltBy('one service changed (greeter)', append('apps/greeter/handlers.go', '\n// greeter changed\n'))).toEqual(['greeter']);
  });

  it('makes every service that imports the shared Go code again when it changes', () => {
    const importers = services.filter((s) => readFileSync(join(ws.dir, 'apps', s, 'main.go'), 'utf8').includes('libs/go/service'));
    expect(importers.length).toBeGreaterThanOrEqual(2);
    expect(imagesRebuiltBy('shared Go code changed (libs/go/service)', append('libs/go/service/doc.go', '\n// shared code changed\n'))).toEqual(importers);
  });

  it('makes the base and every image again when what the base holds changes', () => {
    // A comment line inside the crash script: a file in the base's s6 layer, nothing else.
    const tree = join(ws.dir, 'libs/basebox/src/s6-tree.ts');
    const crashComment = '# container with an error so the orchestrator sees it and starts another.\n';
    const text = readFileSync(tree, 'utf8');
    expect(text).toContain(crashComment);
    const changeBase = () => writeFileSync(tree, text.replace(crashComment, `${crashComment}# changed by the image-affected e2e test\n`));
    expect(imagesRebuiltBy('base changed (basebox)', changeBase)).toEqual(['basebox', ...services].sort());
  });

  it('makes no image again when only READMEs change', () => {
    expect(
      imagesRebuiltBy('READMEs changed', () => {
        append('README.md', '\nmore words\n')();
        append('apps/greeter/README.md', '\nmore words\n')();
      }),
    ).toEqual([]);
  });
});
