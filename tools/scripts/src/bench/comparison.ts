import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type LocalRegistry } from '../../../../libs/image/e2e/local-registry';
import { BlobStore } from '../../../../libs/image/src/blob-store';
import { connectEngine } from '../../../../libs/image/src/engine';
import { pushLayout } from '../../../../libs/image/src/publish/push-layout';
import { parseRegistry } from '../../../../libs/image/src/publish/reference';
import { readRecord, type BuildRecord } from '../../../../libs/image/src/record';
import { daemonGuard } from './daemon-images';
import { dockerBuild, writeDockerfile, type DockerfileTarget } from './dockerfile-build';
import { makeGoImage } from './go-image';
import { installKo, koLocal, koPush, type KoTarget } from './ko';
import { goBuild, libraryLoad, libraryPush, type LibraryTarget } from './library';
import { addRoundFile, changeOneLine } from './one-line-change';
import { seconds } from './run';
import type { Section } from './sections';
import { cloneWorkspace } from './workspace-clone';

/** The bench's registry: a port of its own, away from the e2e suites' ports. */
export const REGISTRY_PORT = 5590;

export interface ComparisonOptions {
  workspace: string;
  sections: ReadonlySet<Section>;
  rounds: number;
  /** Rounds of the 30 and 5 services. */
  manyRounds: number;
  /** Rounds of the Dockerfile (its Go stage compiles the standard library every time: minutes). */
  dockerfileRounds: number;
  /** Take the working tree's uncommitted edits over HEAD into the clone. */
  workingTree: boolean;
  log: (line: string) => void;
}

export interface ComparisonResult {
  /** Seconds per measurement key, one a round. */
  samples: Map<string, number[]>;
  /** Why a measurement was not made (ko not installable, the Dockerfile failing), by key. */
  skipped: Map<string, string>;
  notes: string[];
  /** Bytes of the Nx cache entry of the service's layout target, and of its go-build. */
  cacheEntry?: { layout: number; goBuild: number } | string;
}

const SERVICE = 'bench-01';
const serviceName = (i: number) => `bench-${String(i).padStart(2, '0')}`;

/** The first line of an error, for the table's notes. */
const firstLine = (err: unknown) => (err as Error).message.split('\n').find((l) => l.trim()) ?? String(err);

/**
 * The issue-12 comparison, in a temporary clone: every round makes a
 * one-line change before each measurement, then times it; rounds interleave
 * the measurements so the machine's load falls on all of them alike. Stops
 * the registry, the Nx daemon, and removes the clone and every image the
 * bench tagged, whatever happens.
 */
export async function runComparison(o: ComparisonOptions): Promise<ComparisonResult> {
  const { sections, log } = o;
  const samples = new Map<string, number[]>();
  const skipped = new Map<string, string>();
  const notes: string[] = [];
  const thisRound: string[] = [];
  const add = (key: string, s: number) => {
    samples.set(key, [...(samples.get(key) ?? []), s]);
    thisRound.push(`${key} ${s.toFixed(1)}`);
  };
  const result: ComparisonResult = { samples, skipped, notes };

  const engine = await connectEngine();
  const store = BlobStore.forEnv();
  const label = `${process.pid}`;
  const started = Date.now().toString(36);
  const ownRepository = (repo: string) => /^bench-\d\d$/.test(repo) || repo.startsWith('ko.local/') || repo.startsWith('microbox-bench/');
  const daemon = await daemonGuard(engine, ownRepository, label);
  const clone = cloneWorkspace(o.workspace, { workingTree: o.workingTree });
  const scratch = mkdtempSync(join(tmpdir(), 'microbox-bench-files-'));
  let registry: LocalRegistry | undefined;
  /** The image ids the clone's records name now: tags later builds move leave these behind. */
  const noteRecords = async () => {
    const folder = join(clone.dir, 'dist/images');
    if (!existsSync(folder)) return;
    for (const f of readdirSync(folder).filter((n) => /^bench-\d\d\.json$/.test(n))) {
      const record = await readRecord(join(folder, f));
      if (record) daemon.produced(record.id);
    }
  };
  try {
    const count = sections.has('many') ? 30 : 1;
    log(`clone of HEAD at ${clone.dir}${o.workingTree ? `, with the working tree's ${clone.overlaid} uncommitted file(s)` : ''}`);
    log(`generating ${count} service(s) with nx g @microbox/nx-microbox:service`);
    const generated = await seconds(async () => {
      for (let i = 1; i <= count; i++) await clone.nx(['g', '@microbox/nx-microbox:service', serviceName(i), '--no-interactive'], { daemon: true });
    });
    log(`  generated in ${generated.toFixed(0)} s`);
    await clone.nx(['daemon', '--stop'], { daemon: true });
    const serviceDir = join(clone.dir, 'apps', SERVICE);
    addRoundFile(serviceDir);
    const dockerfile: DockerfileTarget = {
      workspace: clone.dir,
      service: SERVICE,
      goImage: '',
      baseImage: clone.baseboxTag,
      label,
      dockerfile: join(scratch, 'Dockerfile'),
      tag: `microbox-bench/dockerfile:${label}`,
    };
    writeDockerfile(dockerfile);
    clone.commit('bench: generated services');
    log('building basebox and every generated service once (nx run-many -t image)');
    const firstBuild = await seconds(() => clone.nx(['run-many', '-t', 'image', '--projects=basebox,bench-*', '--outputStyle=stream']));
    log(`  built in ${firstBuild.toFixed(0)} s`);
    await noteRecords();
    const base = await readRecord(join(clone.dir, 'dist/images/basebox.json'));
    if (!base) throw new Error('the clone has no dist/images/basebox.json after its build');

    const lib: LibraryTarget = { workspace: clone.dir, service: SERVICE, base, store };
    let ko: KoTarget | undefined;
    const mountFrom = ['microbox/basebox'];
    if (sections.has('library') || sections.has('ko')) {
      registry = await startRegistry(REGISTRY_PORT);
      const baseTag = await pushBase(clone.dir, base, store, registry.host);
      log(`registry at ${registry.host} (Debian docker-registry); our base pushed as ${baseTag}`);
      if (sections.has('ko')) {
        try {
          const installed = await installKo(log);
          ko = { ko: installed.path, workspace: clone.dir, pkg: `./apps/${SERVICE}`, baseImage: baseTag };
          notes.push(`ko ${installed.version} (go install, tool cache ${installed.path}); base ${baseTag}; --sbom=none --bare`);
          await koLocal(ko, SERVICE);
          await koPush(ko, `${registry.host}/ko`);
        } catch (err) {
          const reason = `ko could not be installed or run: ${(err as Error).message.trim().split('\n').slice(-3).join(' ')}`;
          log(`  ${reason}`);
          skipped.set('ko-local', reason).set('ko-push', reason);
          ko = undefined;
        }
      }
    }
    let dockerfileReady = false;
    if (sections.has('dockerfile')) {
      try {
        const go = await makeGoImage({ workspace: clone.dir, pkg: `./apps/${SERVICE}`, base, store, engine });
        dockerfile.goImage = go.tag;
        writeDockerfile(dockerfile);
        log(`${go.tag} made with libs/image in ${go.seconds.toFixed(1)} s (our base + GOROOT without tests and docs + ${go.modules} modules)`);
        notes.push(`Dockerfile: FROM ${go.tag} (our base + the host's Go + the ${go.modules} modules ${SERVICE} needs), RUN go build, then FROM our base + COPY --from; classic builder (DOCKER_BUILDKIT=0: this Docker CLI has no buildx), empty Go build cache in the stage`);
        dockerfileReady = true;
      } catch (err) {
        skipped.set('dockerfile', `the Go build stage could not be made: ${firstLine(err)}`);
      }
    }
    if (sections.has('nx')) {
      log('starting the Nx daemon for the daemon-on measurements');
      await clone.nx(['show', 'projects'], { daemon: true });
    }

    const nx = async (args: string[], daemonOn = false) => {
      await clone.nx(args, { daemon: daemonOn });
      await noteRecords();
    };
    const binary = join(scratch, 'go-build-alone');
    for (let r = 1; r <= o.rounds; r++) {
      // Unique to this run too: an Nx cache shared with earlier runs must not hold the result.
      const change = (what: string) => changeOneLine(serviceDir, `${what}-${r}-${label}-${started}`);
      const time = async (key: string, what: string, work: () => Promise<unknown>) => {
        if (skipped.has(key)) return;
        change(what);
        try {
          add(key, await seconds(work));
        } catch (err) {
          if (key === 'dockerfile' || key.startsWith('ko-')) skipped.set(key, firstLine(err));
          else throw err;
        }
      };
      await time('go', 'go', () => goBuild(clone.dir, SERVICE, binary));
      if (sections.has('nx')) {
        await time('nx-off', 'nx-off', () => nx(['run', `${SERVICE}:image`]));
        await time('nx-on', 'nx-on', () => nx(['run', `${SERVICE}:image`], true));
      }
      if (sections.has('library')) {
        change('lib-load');
        const loaded = await libraryLoad(lib, engine, `${r}`);
        daemon.produced(loaded.id);
        add('lib-load', loaded.total);
        add('lib-load-added', loaded.added);
        add('lib-load-image', loaded.image);
        change('lib-push');
        const pushed = await libraryPush(lib, parseRegistry(registry!.host), mountFrom, `${r}`);
        add('lib-push', pushed.total);
        add('lib-push-added', pushed.added);
        add('lib-push-image', pushed.image);
        if (r === 1) notes.push(`library push to the registry: ${pushed.summary} (the base's already there)`);
      }
      if (ko) {
        await time('ko-local', 'ko-local', () => koLocal(ko, SERVICE));
        await time('ko-push', 'ko-push', () => koPush(ko, `${registry!.host}/ko`));
      }
      if (dockerfileReady && r <= o.dockerfileRounds) await time('dockerfile', 'dockerfile', () => dockerBuild(dockerfile));
      if (sections.has('nx') || sections.has('many')) {
        // Everything built as the sources now are: what follows changes nothing, until the one-changed runs.
        await nx(['run', `${SERVICE}:image`]);
      }
      if (sections.has('nx')) {
        add('nx-noop-off', await seconds(() => clone.nx(['run', `${SERVICE}:image`])));
        add('nx-noop-on', await seconds(() => clone.nx(['run', `${SERVICE}:image`], { daemon: true })));
        add('nx-graph', await seconds(() => clone.nx(['show', 'projects'])));
      }
      if (sections.has('many') && r <= o.manyRounds) {
        const five = `--projects=${[1, 2, 3, 4, 5].map(serviceName).join(',')}`;
        add('many30-noop', await seconds(() => clone.nx(['run-many', '-t', 'image', '--projects=bench-*'])));
        add('many5-noop', await seconds(() => clone.nx(['run-many', '-t', 'image', five])));
        await time('many5-one', 'many5', () => nx(['run-many', '-t', 'image', five]));
        await time('many30-one', 'many30', () => nx(['run-many', '-t', 'image', '--projects=bench-*']));
      }
      log(`round ${r} of ${o.rounds} (s): ${thisRound.splice(0).join(', ')}`);
    }
    if (sections.has('nx')) result.cacheEntry = cacheEntrySizes(clone.dir, SERVICE);
    return result;
  } finally {
    await registry?.stop().catch((err: Error) => log(`registry stop: ${err.message}`));
    await clone.cleanup().catch((err: Error) => log(`clone cleanup: ${err.message}`));
    rmSync(scratch, { recursive: true, force: true });
    const problems = await daemon.restore();
    for (const p of problems) log(`daemon cleanup: ${p}`);
  }
}

/** Our base in the bench's registry as microbox/basebox, for ko and for the library's cross-repository mounts; resolves with its reference. */
async function pushBase(workspace: string, base: BuildRecord, store: BlobStore, host: string): Promise<string> {
  const pushed = await pushLayout({
    layoutDir: join(workspace, base.layout),
    blobStores: [store.dir],
    tags: base.tags,
    registry: parseRegistry(host),
    repository: 'microbox/basebox',
    credentials: 'anonymous',
  });
  return pushed.references[0]!;
}

/** Bytes under a folder, files only. */
function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    total += st.isDirectory() ? folderBytes(path) : st.size;
  }
  return total;
}

/** The newest Nx cache entries of the service's layout (holding dist/images/<svc>.json) and go-build (dist/apps/<svc>). */
function cacheEntrySizes(workspace: string, service: string): { layout: number; goBuild: number } | string {
  const cache = join(workspace, '.nx/cache');
  if (!existsSync(cache)) return `no Nx cache at ${cache}`;
  const entries = readdirSync(cache)
    .map((name) => join(cache, name))
    .filter((p) => statSync(p).isDirectory())
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const find = (rel: string) => entries.find((e) => existsSync(join(e, 'outputs', rel)) || existsSync(join(e, rel)));
  const layout = find(`dist/images/${service}.json`);
  const goBuildEntry = find(`dist/apps/${service}`);
  if (!layout || !goBuildEntry) return `no entry of ${service}:${layout ? 'go-build' : 'layout'} among the ${entries.length} folders of ${cache}`;
  return { layout: folderBytes(layout), goBuild: folderBytes(goBuildEntry) };
}
