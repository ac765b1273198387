import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BlobStore } from '../../../../../libs/image/src/blob-store';
import { completeLayout } from '../../../../../libs/image/src/layout-record';
import { formatPushSummary, pushLayout } from '../../../../../libs/image/src/publish/push-layout';
import { parseRegistry, splitTag, type Registry } from '../../../../../libs/image/src/publish/reference';
import { readRecord } from '../../../../../libs/image/src/record';

export interface PushExecutorOptions {
  /** `host[:port][/namespace]`: the target option, which the plugin fills from its nx.json `registry` option; MICROBOX_REGISTRY wins over it. */
  registry?: string;
  /** The build record of the image to push; default dist/images/<project>.json. */
  record?: string;
}

/** The workspace's one registry setting, and which setting it came from (for errors). */
export function resolveRegistry(options: PushExecutorOptions, context: Pick<ExecutorContext, 'projectName' | 'targetName'>, env: NodeJS.ProcessEnv = process.env): Registry {
  if (env.MICROBOX_REGISTRY) return parseRegistry(env.MICROBOX_REGISTRY, 'MICROBOX_REGISTRY');
  if (options.registry) return parseRegistry(options.registry, `option registry of ${context.projectName}:${context.targetName} (or of @microbox/nx-microbox in nx.json)`);
  throw new Error(
    'no registry to push to: set MICROBOX_REGISTRY=host[:port][/namespace] (e.g. 127.0.0.1:5000 or ghcr.io/acme), or the "registry" option of @microbox/nx-microbox in nx.json',
  );
}

/**
 * `nx run <project>:push`: pushes every tag of the image its build record
 * names from its OCI layout to the workspace's registry over the distribution
 * API, with no daemon; a service's base layers are mounted from the base's
 * repository when the registry has them. A thin adapter over
 * libs/image/src/publish.
 */
export default async function pushExecutor(options: PushExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const name = context.projectName!;
  const recordFile = options.record ?? `dist/images/${name}.json`;
  const fromRoot = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  try {
    const registry = resolveRegistry(options, context);
    const record = await readRecord(fromRoot(recordFile));
    if (!record) throw new Error(`no build record at ${recordFile}: run \`nx run ${name}:layout\` first`);
    const store = BlobStore.forEnv();
    await completeLayout(fromRoot(record.layout), store, record, record.meta.baseLayout ? [fromRoot(record.meta.baseLayout)] : []);
    const { repository } = splitTag(record.tags[0]!);
    const mountFrom = record.meta.base ? [splitTag(record.meta.base).repository] : [];
    console.log(`${name}: pushing ${record.manifest.digest.slice(0, 19)} (${record.tags.join(', ')}) to ${[registry.host, ...registry.namespace].join('/')}`);
    const pushed = await pushLayout({
      layoutDir: fromRoot(record.layout),
      tags: record.tags,
      registry,
      repository,
      mountFrom,
      onProgress: (line) => console.log(`  ${line}`),
    });
    for (const m of pushed.manifests) console.log(`${name}: ${m.reference} ${m.digest}`);
    for (const r of pushed.referrers) console.log(`${name}: ${r.artifactType} of ${r.subject} as ${r.digest} (${r.via})`);
    console.log(`${name}: ${formatPushSummary(pushed.blobs)}`);
    return { success: true };
  } catch (err) {
    console.error(`${name}:push: ${(err as Error).message}`);
    return { success: false };
  }
}
