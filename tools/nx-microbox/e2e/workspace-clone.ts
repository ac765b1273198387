import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { slimTags } from '../../../libs/basebox/src/slim';
import { parseDockerTag } from '../../../libs/image/src/docker-tag';
import type { Engine } from '../../../libs/image/src/engine';
import type { BuildRecord } from '../../../libs/image/src/record';
import { isolatedNxEnv } from './nx-env';

/** The real workspace: its HEAD is cloned, its node_modules reused. */
export const MAIN = resolve(__dirname, '../../..');

export interface WorkspaceClone {
  dir: string;
  /** The environment nx runs with; set variables here (MICROBOX_REGISTRY, DOCKER_CONFIG) for later calls. */
  env: NodeJS.ProcessEnv;
  /** The basebox tag this clone builds, so the shared daemon's microbox/basebox tags are never moved. */
  baseboxTag: string;
  /** Tags only this clone gives: its basebox's and its slim variant's. */
  ownTags: string[];
  git(...args: string[]): string;
  /** Commits everything, with a fixed identity. */
  commit(message: string): void;
  /** Runs nx without the daemon; resolves with its output (stdout and stderr), throws with it on failure. */
  nx(...args: string[]): string;
  /** Like nx, but hands back the exit status instead of throwing. */
  nxStatus(...args: string[]): { status: number | null; output: string };
  /** The build records under dist/images, by project. */
  records(): Record<string, BuildRecord>;
  cleanup(): void;
}

/**
 * A git clone of this workspace's HEAD in a temp folder, with node_modules
 * symlinked. Its Nx cache is its own (a test must see its layouts built, not
 * restored from another run's), but the machine's blob store is shared, so
 * a layer made of the same files is not tarred or gzipped again and the
 * first `basebox:layout` costs about the unpacking of its .debs. The clone's
 * basebox is tagged with a name of its own (committed as the clone's first
 * change): its `image` target tags the daemon, which other work shares.
 */
export function cloneWorkspace(prefix: string): WorkspaceClone {
  const base = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const dir = join(base, 'ws');
  execFileSync('git', ['clone', '-q', MAIN, dir]);
  symlinkSync(join(MAIN, 'node_modules'), join(dir, 'node_modules'));

  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const commit = (message: string) => {
    git('add', '-A');
    git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-q', '--allow-empty', '-m', message);
  };
  const env = isolatedNxEnv(dir);
  const nxStatus = (...args: string[]) => {
    const r = spawnSync(join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  const baseboxTag = `microbox-e2e/basebox:${prefix}-${process.pid}`;
  const projectFile = join(dir, 'libs/basebox/project.json');
  const project = JSON.parse(readFileSync(projectFile, 'utf8'));
  project.targets.layout.options.tags = [baseboxTag];
  writeFileSync(projectFile, JSON.stringify(project, null, 2) + '\n');
  commit('e2e: a basebox tag of its own');

  return {
    dir,
    env,
    baseboxTag,
    ownTags: [baseboxTag, ...slimTags([baseboxTag])],
    git,
    commit,
    nx(...args) {
      const { status, output } = nxStatus(...args);
      if (status !== 0) throw new Error(`nx ${args.join(' ')} failed (${status}):\n${output}`);
      return output;
    },
    nxStatus,
    records: () => readRecords(join(dir, 'dist/images')),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** The build records in a dist/images folder, by project; other JSON beside them (SBOMs) is not a record. */
function readRecords(folder: string): Record<string, BuildRecord> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(
    readdirSync(folder)
      .filter((f) => /^[^.]+\.json$/.test(f))
      .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(folder, f), 'utf8')) as BuildRecord])
      .filter(([, r]) => typeof (r as BuildRecord).id === 'string' && typeof (r as BuildRecord).manifest?.digest === 'string'),
  );
}

/** The images a record names: its own and its variants' (the basebox's slim), as the load executor loads them. */
export function imagesOf(record: BuildRecord): { id: string; tags: string[] }[] {
  return [record, ...Object.values(record.variants ?? {})];
}

/** The image ids of records, variants included. */
export function imageIds(records: Iterable<BuildRecord>): string[] {
  return [...records].flatMap((r) => imagesOf(r).map((i) => i.id));
}

/**
 * What a test's image loads did to the shared daemon, undone: the clone's
 * `image` targets tag `<svc>:latest` like the workspace's own, so a tag of these
 * repositories that now names an image the test built is put back where it
 * was (or removed), and every image the test built (and nothing else) is
 * removed, newest first, and so are `ownTags`. A tag someone else moved meanwhile is left alone:
 * other work builds in this daemon at the same time.
 */
export async function guardDaemonTags(engine: Engine, repositories: readonly string[], ownTags: readonly string[] = []) {
  const repoOf = (tag: string) => tag.slice(0, tag.lastIndexOf(':'));
  const watched = (tag: string) => repositories.includes(repoOf(tag));
  const tagsNow = async () => {
    const byTag = new Map<string, string>();
    for (const image of await engine.docker.listImages()) for (const tag of image.RepoTags ?? []) if (watched(tag)) byTag.set(tag, image.Id);
    return byTag;
  };
  const before = await tagsNow();
  const existing = new Set((await engine.docker.listImages({ all: true })).map((i) => i.Id));
  const built: string[] = [];
  return {
    /** Remembers images a test loaded (ids from its records), to be removed at the end unless the daemon held them before. */
    built(ids: Iterable<string>) {
      for (const id of ids) if (!existing.has(id) && !built.includes(id)) built.push(id);
    },
    /** Puts the watched tags that name the test's images back where they were, or removes them. */
    async putBackTags() {
      for (const [tag, id] of await tagsNow()) {
        if (!built.includes(id)) continue;
        const original = before.get(tag);
        if (original) await engine.docker.getImage(original).tag(parseDockerTag(tag)).catch(() => {});
        else await engine.docker.getImage(tag).remove().catch(() => {});
      }
      // The workspace's own records are newer than the snapshot if it built meanwhile: their tags win.
      for (const image of Object.values(readRecords(join(MAIN, 'dist/images'))).flatMap(imagesOf)) {
        for (const tag of image.tags.filter(watched)) await engine.docker.getImage(image.id).tag(parseDockerTag(tag)).catch(() => {});
      }
    },
    async restore() {
      await this.putBackTags();
      // Names only the test gives (the clone's basebox tags), wherever they point.
      for (const tag of ownTags) await engine.docker.getImage(tag).remove().catch(() => {});
      for (const id of [...built].reverse()) await engine.docker.getImage(id).remove({ force: true }).catch(() => {});
    },
  };
}
