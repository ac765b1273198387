/** What `"plugins": [{ "plugin": "@microbox/nx-microbox", "options": { ... } }]` in nx.json may set. */
export interface MicroboxPluginOptions {
  /** `host[:port][/namespace]`: where push targets push (MICROBOX_REGISTRY, read by the executor, wins over it). */
  registry?: string;
}

const WHERE = 'nx.json plugin option';

/** The plugin's options, checked; a bad one is one line naming it and the fix. */
export function parsePluginOptions(options: unknown): MicroboxPluginOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${WHERE}s of @microbox/nx-microbox are ${JSON.stringify(options)}: give an object, e.g. { "registry": "ghcr.io/acme" }, or none`);
  }
  const { registry, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) {
    throw new Error(`${WHERE} "${unknown[0]}" of @microbox/nx-microbox is not one it knows: the only option is "registry"`);
  }
  if (registry === undefined) return {};
  // Its form (host, port, namespace) is checked where it is used, by the push executor.
  if (typeof registry !== 'string' || registry.trim() === '') {
    throw new Error(`${WHERE} registry of @microbox/nx-microbox is ${JSON.stringify(registry)}: give a string host[:port][/namespace], e.g. "ghcr.io/acme"`);
  }
  return { registry };
}
