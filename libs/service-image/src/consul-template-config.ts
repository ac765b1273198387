import { changeCommand, TEMPLATES_DIR } from './s6-services';
import type { ServiceSpec, TemplateSpec } from './service-spec';

export function templateInImage(template: TemplateSpec): string {
  return `${TEMPLATES_DIR}/${template.source.split('/').pop()}`;
}

/**
 * How long a blocking query to Consul waits for a change before asking
 * again. consul-template's default is 60 s; a Consul restarted with fresh
 * state has a lower index than the one consul-template waits past, so it
 * answers only when that wait ends, and a KV change made meanwhile reached
 * the app 54 to 58 s late. 5 s bounds that delay, at the cost of one idle
 * query per key every 5 s.
 */
export const BLOCK_QUERY_WAIT = '5s';

/**
 * consul-template's config for one service, as JSON (its HCL parser reads
 * JSON too): every value is written by JSON.stringify, so a destination or
 * source with a quote or a newline stays one string and cannot add a
 * setting. It retries Consul for ever, at most a second apart, so a service
 * started before Consul comes up with it (the default gives up after 12
 * tries); it renders with no quiescence wait, so a KV change reaches the app
 * at once; each change runs the service's on-change script.
 */
export function consulTemplateConfig(spec: ServiceSpec): string {
  const config = {
    consul: { retry: { enabled: true, attempts: 0, backoff: '250ms', max_backoff: '1s' } },
    block_query_wait: BLOCK_QUERY_WAIT,
    template: spec.templates.map((t, i) => ({
      source: templateInImage(t),
      destination: t.destination,
      perms: '0644',
      command: changeCommand(t, i),
    })),
  };
  return JSON.stringify(config, null, 2) + '\n';
}
