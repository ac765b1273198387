import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { connectEngine } from '../../../../../libs/image/src/engine';
import { dockerConfigPath, registryAuth } from '../../../../../libs/image/src/publish/docker-config';
import { pushImage } from '../../../../../libs/image/src/publish/push';
import { parseRegistry, type Registry } from '../../../../../libs/image/src/publish/reference';
import { readRecord } from '../../../../../libs/image/src/record';

export interface PushExecutorOptions {
  /** `host[:port][/namespace]`; MICROBOX_REGISTRY wins over it, and it over the plugin option in nx.json. */
  registry?: string;
  /** The build record of the image to push; default dist/images/<project>.json. */
  record?: string;
}

const PLUGIN = '@microbox/nx-microbox';

/** The plugin's `registry` option in nx.json, if the plugin is listed with options. */
function pluginRegistry(context: ExecutorContext): string | undefined {
  for (const entry of context.nxJsonConfiguration?.plugins ?? []) {
    if (typeof entry === 'object' && entry.plugin === PLUGIN) {
      const value = (entry.options as { registry?: unknown } | undefined)?.registry;
      if (typeof value === 'string') return value;
    }
  }
  return undefined;
}

/** The workspace's one registry setting, and which setting it came from (for errors). */
export function resolveRegistry(options: PushExecutorOptions, context: ExecutorContext, env: NodeJS.ProcessEnv = process.env): Registry {
  if (env.MICROBOX_REGISTRY) return parseRegistry(env.MICROBOX_REGISTRY, 'MICROBOX_REGISTRY');
  if (options.registry) return parseRegistry(options.registry, `option registry of ${context.projectName}:${context.targetName}`);
  const fromPlugin = pluginRegistry(context);
  if (fromPlugin) return parseRegistry(fromPlugin, `nx.json plugin option registry of ${PLUGIN}`);
  throw new Error(
    `no registry to push to: set MICROBOX_REGISTRY=host[:port][/namespace] (e.g. 127.0.0.1:5000 or ghcr.io/acme), or the "registry" option of ${PLUGIN} in nx.json`,
  );
}

/**
 * `nx run <project>:push`: pushes every tag of the image its build record
 * names to the workspace's registry, through the daemon, with credentials
 * from the Docker config file. A thin adapter over libs/image/src/publish.
 */
export default async function pushExecutor(options: PushExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const name = context.projectName!;
  const recordFile = options.record ?? `dist/images/${name}.json`;
  try {
    const registry = resolveRegistry(options, context);
    const record = await readRecord(isAbsolute(recordFile) ? recordFile : join(context.root, recordFile));
    if (!record) throw new Error(`no build record at ${recordFile}: run \`nx run ${name}:image\` first`);
    const auth = registryAuth(registry.host);
    console.log(`${name}: pushing ${record.id.slice(0, 19)} (${record.tags.join(', ')}) to ${[registry.host, ...registry.namespace].join('/')}, ${auth ? `as ${auth.username ?? 'identity token'} from ${dockerConfigPath()}` : 'anonymously'}`);
    const engine = await connectEngine();
    const pushed = await pushImage(engine, { id: record.id, tags: record.tags, registry, auth, onProgress: (line) => console.log(`  ${line}`) });
    for (const p of pushed) {
      const uploaded = p.layers.filter((l) => l.status === 'Pushed').length;
      console.log(`${name}: ${p.reference} ${p.digest ?? ''}: ${uploaded} of ${p.layers.length} layers uploaded, ${p.layers.length - uploaded} already there`);
    }
    return { success: true };
  } catch (err) {
    console.error(`${name}:push: ${(err as Error).message}`);
    return { success: false };
  }
}
