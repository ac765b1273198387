import type { Engine } from '../../../../libs/image/src/engine';

/** Label every image the bench's Dockerfile builds carries, intermediate ones included, so they can all be found again. */
export const BENCH_LABEL = 'microbox-bench';

const gone = (err: { statusCode?: number }) => err.statusCode === 404;

/**
 * What the bench did to the shared daemon, undone. `restore` removes every
 * image its Dockerfile built (by label), every tag of the repositories the
 * bench owns (its generated services, ko.local, microbox-bench/*), then the
 * images it produced (`produced`: ids from its records and loads, whose tags
 * later builds moved away) that were not in the daemon before it started
 * and are left with no tag. An image someone else also tagged keeps that
 * tag, and so stays. Resolves with what could not be removed.
 */
export async function daemonGuard(engine: Engine, ownRepository: (repo: string) => boolean, labelValue: string) {
  const before = new Set((await engine.docker.listImages({ all: true })).map((i) => i.Id));
  const produced = new Set<string>();
  return {
    produced(id: string) {
      produced.add(id);
    },
    async restore(): Promise<string[]> {
      const problems: string[] = [];
      const note = (what: string) => (err: Error & { statusCode?: number }) => {
        if (!gone(err)) problems.push(`${what}: ${err.message}`);
      };
      // A build's images are a chain: a parent goes once its children have, so a few passes.
      for (let pass = 1; pass <= 3; pass++) {
        const labelled = await engine.docker.listImages({ all: true, filters: JSON.stringify({ label: [`${BENCH_LABEL}=${labelValue}`] }) });
        const last = pass === 3 ? note : () => () => {};
        for (const image of labelled) await engine.docker.getImage(image.Id).remove({ force: true }).catch(last(`remove ${image.Id.slice(0, 19)}`));
      }
      for (const image of await engine.docker.listImages()) {
        for (const tag of image.RepoTags ?? []) {
          if (ownRepository(tag.slice(0, tag.lastIndexOf(':')))) await engine.docker.getImage(tag).remove().catch(note(`untag ${tag}`));
        }
      }
      for (const image of await engine.docker.listImages({ all: true })) {
        const untagged = (image.RepoTags ?? []).every((t) => t === '<none>:<none>');
        if (produced.has(image.Id) && !before.has(image.Id) && untagged) {
          await engine.docker.getImage(image.Id).remove().catch(note(`remove ${image.Id.slice(0, 19)}`));
        }
      }
      return problems;
    },
  };
}
