import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_QUERY_WAIT, consulTemplateConfig } from './consul-template-config';
import type { ServiceSpec } from './service-spec';

const spec = (templates: ServiceSpec['templates']): ServiceSpec =>
  ({ name: 'greeter', binary: '/dist/greeter', templates, giveUpCode: 78, configWaitSeconds: 30, env: {} }) as unknown as ServiceSpec;

const hostile = '/run/greeter/a"\n}\nexec { command = "rm -rf /" }\n#';
const CONSUL_TEMPLATE = join(process.env.MICROBOX_TOOLS_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'microbox/tools'), 'consul-template/0.42.1/bin/consul-template');

describe('consul-template config', () => {
  it('is JSON: every value a string of its own, however it is spelled', () => {
    const config = JSON.parse(consulTemplateConfig(spec([{ source: 'consul/a.ctmpl', destination: hostile, reload: 'reload' }])));
    expect(config.template).toHaveLength(1);
    expect(config.template[0].destination).toBe(hostile);
    expect(Object.keys(config).sort()).toEqual(['block_query_wait', 'consul', 'template']);
  });

  it('retries Consul for ever, at most a second apart, and waits at most 5 s in a blocking query', () => {
    const config = JSON.parse(consulTemplateConfig(spec([{ source: 'consul/a.ctmpl', destination: '/run/greeter/a', reload: 'reload' }])));
    expect(config.consul.retry).toEqual({ enabled: true, attempts: 0, backoff: '250ms', max_backoff: '1s' });
    expect(config.block_query_wait).toBe('5s');
    expect(BLOCK_QUERY_WAIT).toBe('5s');
  });

  // The bootstrap builds consul-template into the tool cache before any test runs.
  it('is read by consul-template v0.42.1 itself: perms, block_query_wait and a destination with a quote and a newline as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-config-'));
    try {
      writeFileSync(join(dir, 'a.ctmpl'), 'rendered {{ env "CT_TEST" }}\n');
      const destination = join(dir, 'out "quoted"\nline');
      const text = consulTemplateConfig(spec([{ source: 'consul/a.ctmpl', destination, reload: 'reload' }])).replace('/etc/consul-template/templates/a.ctmpl', join(dir, 'a.ctmpl'));
      const config = JSON.parse(text);
      config.template[0].command = ['true'];
      config.consul.address = '127.0.0.1:1';
      writeFileSync(join(dir, 'config.hcl'), JSON.stringify(config));
      const r = spawnSync(CONSUL_TEMPLATE, ['-config', join(dir, 'config.hcl'), '-once', '-log-level', 'debug'], { env: { ...process.env, CT_TEST: 'yes' }, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(destination, 'utf8')).toBe('rendered yes\n');
      // Its own account of the config it runs with: 0644 is 420, 5 s in nanoseconds.
      expect(r.stderr).toContain('"Perms":420');
      expect(r.stderr).toContain('"BlockQueryWaitTime":5000000000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
