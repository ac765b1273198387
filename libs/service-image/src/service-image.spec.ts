import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consulTemplateConfig } from './consul-template-config';
import { serviceConfig } from './image-config';
import { serviceFiles, serviceLayers } from './layers';
import { defaultServiceFiles } from './s6-services';
import { checkGiveUpCode, checkServiceName, defaultTemplate, type ServiceSpec } from './service-spec';

const spec: ServiceSpec = {
  name: 'greeter',
  binary: '/dist/greeter',
  templates: [defaultTemplate('greeter', 'templates/greeter.json.tmpl'), { source: 'templates/tls.pem.tmpl', destination: '/run/greeter/tls.pem', reload: 'restart' }],
  giveUpCode: 78,
  configWaitSeconds: 30,
  ports: [8080],
  env: { GREETER_CONFIG: '/run/greeter/greeter.json' },
  files: [],
};
const file = (path: string) => defaultServiceFiles(spec).find((f) => f.path === path)!.content;

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('service spec', () => {
  it('renders consul/<x>.ctmpl to /run/<svc>/<x> and restarts the app on a change by default', () => {
    expect(defaultTemplate('greeter', 'consul/greeter.json.ctmpl')).toEqual({
      source: 'consul/greeter.json.ctmpl',
      destination: '/run/greeter/greeter.json',
      reload: 'restart',
    });
  });

  it('refuses names and exit codes that cannot work, naming them', () => {
    expect(checkServiceName('greeter-2')).toBe('greeter-2');
    expect(() => checkServiceName('Greeter')).toThrow('service name "Greeter"');
    expect(() => checkServiceName('9lives')).toThrow('starting with a letter');
    expect(() => checkGiveUpCode(0)).toThrow('giveUpCode 0');
    expect(() => checkGiveUpCode(137)).toThrow('giveUpCode 137');
  });
});

describe('s6 service scripts', () => {
  it('app/run waits, bounded, for every rendered file, then drops to the app user', () => {
    const run = file('app/run');
    expect(run).toContain('for file in /run/greeter/greeter.json /run/greeter/tls.pem; do');
    expect(run).toContain('wait=${CONFIG_WAIT:-30s}');
    expect(run).toContain('give_up 78');
    expect(run).toMatch(/exec s6-setuidgid app \/usr\/local\/bin\/greeter\n$/);
    expect(run).toContain('trap true HUP');
  });

  it('app/finish stops the container on the give-up code and on a crash loop, not on SIGTERM or exit 0', () => {
    const finish = file('app/finish');
    expect(finish).toContain('if [ "$code" -eq 78 ]; then');
    expect(finish).toContain('echo "$1" > /run/s6/.s6-svscan/exit-code');
    expect(finish).toContain('exec s6-svscanctl -t /run/s6');
    expect(finish).toContain('[ "$signal" -eq 15 ]');
    expect(finish).toContain('s6-permafailon 30 5 1-142,144-255 true');
  });

  it('consul-template/run stops on SIGTERM', () => {
    expect(file('consul-template/run')).toContain('exec consul-template -config /etc/consul-template/config.hcl -kill-signal=SIGTERM');
  });

  it('each script is a valid sh program', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const f of defaultServiceFiles(spec)) {
      expect(() => execFileSync('sh', ['-n', '-c', f.content.toString()]), f.path).not.toThrow();
    }
  });
});

describe('consul-template config', () => {
  it("runs on-change with each template's action, number and file: it skips the first render, before the app starts", () => {
    const config = JSON.parse(consulTemplateConfig(spec));
    expect(config.template.map((t: { command: string[] }) => t.command)).toEqual([
      ['/etc/s6/consul-template/on-change', '-r', '0', '/run/greeter/greeter.json'],
      ['/etc/s6/consul-template/on-change', '-r', '1', '/run/greeter/tls.pem'],
    ]);
    const reload = JSON.parse(consulTemplateConfig({ ...spec, templates: [{ ...spec.templates[0]!, reload: 'reload' }] }));
    expect(reload.template[0].command).toEqual(['/etc/s6/consul-template/on-change', '-h', '0', '/run/greeter/greeter.json']);
  });
});

describe('service layout', () => {
  it('takes a file under the service s6/ folder over the default, and adds the others', () => {
    dir = mkdtempSync(join(tmpdir(), 'svc-'));
    mkdirSync(join(dir, 's6/app'), { recursive: true });
    writeFileSync(join(dir, 's6/app/run'), '#!/bin/sh\nexec custom\n');
    chmodSync(join(dir, 's6/app/run'), 0o755);
    writeFileSync(join(dir, 's6/app/timeout-kill'), '3000\n');
    const { files, overridden } = serviceFiles(spec, dir);
    expect(overridden).toEqual(['app/run']);
    expect(files.find((f) => f.path === 'app/run')).toEqual({ path: 'app/run', content: Buffer.from('#!/bin/sh\nexec custom\n'), mode: 0o755 });
    expect(files.map((f) => f.path)).toEqual(['app/finish', 'app/run', 'app/timeout-kill', 'consul-template/finish', 'consul-template/on-change', 'consul-template/run']);
  });

  it('reads an override as bytes, so a binary file is shipped as it is', () => {
    dir = mkdtempSync(join(tmpdir(), 'svc-'));
    mkdirSync(join(dir, 's6/app'), { recursive: true });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x80]);
    writeFileSync(join(dir, 's6/app/logo.png'), bytes);
    const logo = serviceFiles(spec, dir).files.find((f) => f.path === 'app/logo.png')!;
    expect(Buffer.compare(Buffer.from(logo.content), bytes)).toBe(0);
  });

  it('makes two layers: scripts, config and templates below, the binary alone above', () => {
    dir = mkdtempSync(join(tmpdir(), 'svc-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates/greeter.json.tmpl'), '{}');
    writeFileSync(join(dir, 'templates/tls.pem.tmpl'), 'pem');
    const { layers } = serviceLayers(spec, dir, Buffer.from('ELF'));
    expect(layers.map((l) => l.name)).toEqual(['s6 scripts, templates', 'binary']);
    expect(layers[0]!.entries.map((e) => e.path)).toEqual([
      '/etc/s6/app/finish',
      '/etc/s6/app/run',
      '/etc/s6/consul-template/finish',
      '/etc/s6/consul-template/on-change',
      '/etc/s6/consul-template/run',
      '/etc/consul-template/config.hcl',
      '/etc/consul-template/templates/greeter.json.tmpl',
      '/etc/consul-template/templates/tls.pem.tmpl',
      '/srv/greeter',
    ]);
    expect(layers[1]!.entries).toEqual([{ type: 'file', path: '/usr/local/bin/greeter', content: Buffer.from('ELF'), mode: 0o755 }]);
  });
});

describe('image config', () => {
  const origin = { revision: 'abc123', created: '2026-11-28T05:00:00Z', source: 'https://example.com/repo', baseName: 'microbox/basebox:0.1.0', baseDigest: 'sha256:feed' };

  it('sets the port, env and OCI labels from the commit and the base, as data', () => {
    const config = serviceConfig({ ...spec, env: { ...spec.env, 'A"B': 'x\nRUN rm -rf /' } }, origin);
    expect(config.created).toBe('2026-11-28T05:00:00Z');
    expect(config.env).toEqual({ GREETER_CONFIG: '/run/greeter/greeter.json', 'A"B': 'x\nRUN rm -rf /' });
    expect(config.exposedPorts).toEqual(['8080/tcp']);
    expect(config.workingDir).toBe('/srv/greeter');
    expect(config.labels).toMatchObject({
      'org.opencontainers.image.created': '2026-11-28T05:00:00Z',
      'org.opencontainers.image.revision': 'abc123',
      'org.opencontainers.image.base.digest': 'sha256:feed',
      'org.opencontainers.image.source': 'https://example.com/repo',
    });
  });

  it('sets nothing the service did not ask for: no PORT, no exposed port without the port option; the working directory is /srv/<svc>', () => {
    const config = serviceConfig({ ...spec, name: 'catalog', ports: [], env: {} }, origin);
    expect(config.env).toEqual({});
    expect(config.exposedPorts).toEqual([]);
    expect(config.workingDir).toBe('/srv/catalog');
    expect(serviceConfig({ ...spec, ports: [3550, 8080] }, origin).exposedPorts).toEqual(['3550/tcp', '8080/tcp']);
  });

  it('leaves the source label out when there is no remote to name', () => {
    const { source: _none, ...noSource } = origin;
    expect(serviceConfig(spec, noSource).labels).not.toHaveProperty(['org.opencontainers.image.source']);
  });
});
