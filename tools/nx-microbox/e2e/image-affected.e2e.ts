import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../libs/image/src/engine';
import { cloneWorkspace, guardDaemonTags, type WorkspaceClone } from './workspace-clone';

// `nx affected -t image` on a real git history (a temporary clone of this
// workspace): which images are actually built again, read from the build
// records (a new image id) and the executors' own words ("built" against
// "unchanged"), not only from which projects Nx lists.

let ws: WorkspaceClone;
let guard: Awaited<ReturnType<typeof guardDaemonTags>>;
let services: string[];
const timings: string[] = [];

const ids = () => Object.fromEntries(Object.entries(ws.records()).map(([project, r]) => [project, r.id]));

beforeAll(async () => {
  ws = cloneWorkspace('image-affected');
  services = (JSON.parse(ws.nx('show', 'projects', '--with-target', 'image', '--json')) as string[]).filter((p) => p !== 'basebox').sort();
  guard = await guardDaemonTags(await connectEngine(), services, [ws.baseboxTag]);
  // Every image once, from the clone's first commit: the state CI starts from.
  ws.nx('run-many', '-t', 'image', '--outputStyle=static');
  guard.built(Object.values(ids()));
});
afterAll(async () => {
  if (timings.length) console.log(`nx affected -t image:\n  ${timings.join('\n  ')}`);
  await guard?.restore();
  ws?.cleanup();
});

/**
 * Commits a change, runs `nx affected -t image` between the commit before
 * and this one, and says which images were built again: those whose record
 * names a new image, each confirmed by its executor's "built" line.
 */
function imagesBuiltBy(what: string, change: () => void): string[] {
  const before = ids();
  change();
  ws.commit(what);
  const started = Date.now();
  const out = ws.nx('affected', '-t', 'image', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static');
  timings.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const after = ids();
  guard.built(Object.values(after));
  const built = Object.keys(after).filter((p) => after[p] !== before[p]).sort();
  for (const project of Object.keys(after)) {
    // basebox:image says "built <id>", a service's image "<svc>: built <id>".
    const line = new RegExp(`^${project === 'basebox' ? '' : `${project}: `}built sha256:`, 'm');
    if (built.includes(project)) expect(out, `${project}'s executor says it built`).toMatch(line);
    else expect(out, `${project}'s executor says nothing of a build`).not.toMatch(line);
  }
  return built;
}

const append = (file: string, text: string) => () => appendFileSync(join(ws.dir, file), text);

describe('nx affected -t image on a real git history', () => {
  it('builds nothing when nothing changed', () => {
    expect(imagesBuiltBy('nothing changed', () => {})).toEqual([]);
  });

  it('builds only greeter when greeter changes', () => {
    expect(imagesBuiltBy('one service changed (greeter)', append('apps/greeter/handlers.go', '\n// greeter changed\n'))).toEqual(['greeter']);
  });

  it('builds every service that imports the shared Go code when it changes', () => {
    const importers = services.filter((s) => readFileSync(join(ws.dir, 'apps', s, 'main.go'), 'utf8').includes('libs/go/service'));
    expect(importers.length).toBeGreaterThanOrEqual(2);
    expect(imagesBuiltBy('shared Go code changed (libs/go/service)', append('libs/go/service/doc.go', '\n// shared code changed\n'))).toEqual(importers);
  });

  it('builds the base and every image when the base changes', () => {
    const recipe = join(ws.dir, 'libs/basebox/src/flavours/debian.ts');
    const changeBase = () => writeFileSync(recipe, readFileSync(recipe, 'utf8').replace('ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin MICROBOX_E2E=base-changed'));
    expect(imagesBuiltBy('base changed (basebox)', changeBase)).toEqual(['basebox', ...services].sort());
  });

  it('builds nothing when only READMEs change', () => {
    expect(imagesBuiltBy('READMEs changed', () => {
      append('README.md', '\nmore words\n')();
      append('apps/greeter/README.md', '\nmore words\n')();
    })).toEqual([]);
  });
});
