import { describe, expect, it } from 'vitest';
import { type ConfigInput, buildConfig } from './config';

const input: ConfigInput = {
  platform: { os: 'linux', architecture: 'amd64' },
  created: '2026-03-04T05:06:07Z',
  env: { PATH: '/bin', PORT: '8080' },
  entrypoint: ['/bin/s6-svscan', '/etc/s6'],
  user: '0',
  exposedPorts: ['8080/tcp', '53/udp', '9000'],
  labels: { a: '1' },
};
const none = { base: [], added: [] };

describe('buildConfig', () => {
  it('writes every field as data, a history line per new layer and the diff ids in order', () => {
    const config = buildConfig(input, { base: [], added: ['sha256:a', 'sha256:b'] }, { base: [], added: ['base', 'app'] });
    expect(config).toEqual({
      created: '2026-03-04T05:06:07Z',
      architecture: 'amd64',
      os: 'linux',
      variant: undefined,
      config: {
        Env: ['PATH=/bin', 'PORT=8080'],
        Entrypoint: ['/bin/s6-svscan', '/etc/s6'],
        Cmd: undefined,
        WorkingDir: undefined,
        User: '0',
        ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '9000/tcp': {} },
        Labels: { a: '1' },
      },
      rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] },
      history: [
        { created: '2026-03-04T05:06:07Z', created_by: 'base' },
        { created: '2026-03-04T05:06:07Z', created_by: 'app' },
      ],
    });
  });

  it('merges env by key and labels with the base, replaces the rest when given, keeps base history first', () => {
    const base = buildConfig(input, { base: [], added: ['sha256:a'] }, { base: [], added: ['base'] });
    const config = buildConfig(
      { platform: input.platform, created: '2026-04-01T00:00:00Z', env: { PORT: '9090', APP: 'greeter' }, cmd: ['serve'], labels: { b: '2' } },
      { base: base.rootfs.diff_ids, added: ['sha256:b'] },
      { base: base.history ?? [], added: ['app'] },
      base,
    );
    expect(config.config).toMatchObject({
      Env: ['PATH=/bin', 'PORT=9090', 'APP=greeter'],
      Entrypoint: ['/bin/s6-svscan', '/etc/s6'],
      Cmd: ['serve'],
      Labels: { a: '1', b: '2' },
      ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '9000/tcp': {} },
    });
    expect(config.rootfs.diff_ids).toEqual(['sha256:a', 'sha256:b']);
    expect(config.history).toEqual([
      { created: '2026-03-04T05:06:07Z', created_by: 'base' },
      { created: '2026-04-01T00:00:00Z', created_by: 'app' },
    ]);
  });

  it('keeps a newline in an env value as data and refuses names that would break the format', () => {
    const config = buildConfig({ ...input, env: { MOTD: 'a\nRUN rm -rf /' } }, none, { base: [], added: [] });
    expect(config.config?.Env).toEqual(['MOTD=a\nRUN rm -rf /']);
    expect(() => buildConfig({ ...input, env: { 'A=B': 'x' } }, none, none)).toThrow('env name "A=B" is not valid');
    expect(() => buildConfig({ ...input, env: { 'A\nB': 'x' } }, none, none)).toThrow('env name "A\\nB" is not valid');
  });

  it('refuses bad input in one line naming the value', () => {
    expect(() => buildConfig({ ...input, created: 'yesterday' }, none, none)).toThrow('created "yesterday" is not an RFC 3339 time');
    expect(() => buildConfig({ ...input, exposedPorts: ['80/tcp', '70000'] }, none, none)).toThrow('exposed port "70000" is not valid');
    expect(() => buildConfig({ ...input, platform: { os: 'linux', architecture: 'AMD 64' } }, none, none)).toThrow('platform architecture "AMD 64" is not valid');
    expect(() => buildConfig(input, { base: [], added: ['sha256:a'] }, { base: [], added: [] })).toThrow('0 history lines were given for 1 new layers');
    const arm = buildConfig({ ...input, platform: { os: 'linux', architecture: 'arm64' } }, none, none);
    expect(() => buildConfig(input, none, none, arm)).toThrow('the base image is linux/arm64 but the image asked for is linux/amd64');
  });
});
