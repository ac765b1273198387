import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64 } from '../../elf/src/elf';
import { consulTemplate, consulTemplateFor } from './recipes';

/**
 * A stand-in `go` that records what the recipe asks of it and leaves a file
 * where go would put a cross-built binary, as it does on a host of another
 * platform (a macOS laptop, an arm64 server).
 */
function fakeGo(dir: string): { path: string; version: string } {
  const path = join(dir, 'go');
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  env) echo "${join(dir, 'modcache')}" ;;
  install)
    env > "${join(dir, 'install.env')}"
    echo "$@" > "${join(dir, 'install.args')}"
    mkdir -p "$GOPATH/bin/\${GOOS}_\${GOARCH}"
    echo "\${GOOS}/\${GOARCH}" > "$GOPATH/bin/\${GOOS}_\${GOARCH}/consul-template" ;;
esac
`,
    { mode: 0o755 },
  );
  return { path, version: 'go1.26.8' };
}

const envOf = (file: string) => new Map(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

// What a laptop's shell may export; none of it may reach the build.
const HOST_SETTINGS = { GOOS: 'darwin', GOARCH: 'arm64', CGO_ENABLED: '1', GOBIN: '/usr/local/bin', GOAMD64: 'v3', GOARM64: 'v9.0' };

describe('consul-template recipes', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'recipes-'));
    Object.assign(process.env, HOST_SETTINGS);
  });
  afterEach(() => {
    for (const key of Object.keys(HOST_SETTINGS)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['amd64', { GOAMD64: 'v1' }],
    ['arm64', { GOARM64: 'v8.0' }],
  ] as const)('asks Go for a static linux/%s build whatever the host, into a GOPATH of its own', async (arch, microarchitecture) => {
    const bin = join(dir, 'consul-template');
    await consulTemplateFor(arch).build(fakeGo(dir), dir, bin);
    const env = envOf(join(dir, 'install.env'));
    expect(Object.fromEntries(['GOOS', 'GOARCH', 'CGO_ENABLED', 'GOBIN', 'GOMODCACHE', ...Object.keys(microarchitecture)].map((k) => [k, env.get(k)]))).toEqual({
      GOOS: 'linux',
      GOARCH: arch,
      CGO_ENABLED: '0',
      GOBIN: '',
      GOMODCACHE: join(dir, 'modcache'),
      ...microarchitecture,
    });
    expect(env.get('GOPATH')).toBe(join(dir, 'gopath'));
    expect(readFileSync(join(dir, 'install.args'), 'utf8').trim()).toBe('install -v -trimpath -ldflags=-s -w github.com/hashicorp/consul-template@v0.42.1');
    expect(readFileSync(bin, 'utf8').trim()).toBe(`linux/${arch}`);
    expect(existsSync(join(dir, 'gopath'))).toBe(false);
  });

  it('judges each build by its build information and ELF header: module, version, linux, its architecture', () => {
    const module = { module: 'github.com/hashicorp/consul-template', version: 'v0.42.1', goos: 'linux' };
    expect(consulTemplateFor('amd64').goBinary).toEqual({ ...module, goarch: 'amd64', machine: EM_X86_64 });
    expect(consulTemplateFor('arm64').goBinary).toEqual({ ...module, goarch: 'arm64', machine: EM_AARCH64 });
  });

  it('keeps amd64 in the cache folder the images were built from, arm64 beside it', () => {
    expect(consulTemplateFor('amd64')).toBe(consulTemplate);
    expect(consulTemplate.platform).toBeUndefined();
    expect(consulTemplateFor('arm64').platform).toBe('linux/arm64');
  });
});
