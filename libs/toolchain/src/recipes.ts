import { existsSync } from 'node:fs';
import { cp, chmod, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EM_AARCH64 } from '../../elf/src/elf';
import type { GoToolchain } from '../../gobuild/src/find-go';
import { checkGoBinary } from './go-binary-check';
import { runGo } from './go-build-tool';

/** A tool the bootstrap provides: how to build it and how to know a binary is the right one. */
export interface ToolRecipe {
  name: string;
  version: string;
  license: string;
  versionArgs: string[];
  /** Matches the binary's own version output. */
  versionPattern: RegExp;
  /** Whether a binary of the same name and version on PATH may be used instead of building one. */
  acceptOnPath: boolean;
  /** Set for a build for another platform than the host's, e.g. linux/arm64: it is cached apart. */
  platform?: string;
  /** How to know the binary is the right one without running it (another architecture); when absent, it is run with versionArgs. */
  check?(binPath: string): Promise<void>;
  build(go: GoToolchain, workDir: string, binPath: string): Promise<void>;
}

const STATIC_FLAGS = ['-trimpath', '-ldflags=-s -w'];

export const consulTemplate: ToolRecipe = {
  name: 'consul-template',
  version: '0.42.1',
  license: 'MPL-2.0',
  versionArgs: ['-version'],
  versionPattern: /^consul-template v0\.42\.1\b/,
  // The images carry this exact build, so it always comes from the cache.
  acceptOnPath: false,
  async build(go, workDir, binPath) {
    await runGo(go, 'consul-template', {
      label: 'go install github.com/hashicorp/consul-template@v0.42.1',
      args: ['install', '-v', ...STATIC_FLAGS, 'github.com/hashicorp/consul-template@v0.42.1'],
      cwd: workDir,
      env: { GOBIN: join(workDir, 'bin') },
    });
    if (!(await readdir(join(workDir, 'bin'))).includes('consul-template')) {
      throw new Error(`go install left no consul-template in ${join(workDir, 'bin')} (expected ${binPath})`);
    }
  },
};

/**
 * consul-template for linux/arm64, cross-compiled with the same flags as the
 * amd64 one (reusing its module cache). The host may not run arm64 binaries,
 * so the binary is judged by its Go build information and ELF header.
 */
const consulTemplateArm64: ToolRecipe = {
  ...consulTemplate,
  platform: 'linux/arm64',
  check: (binPath) =>
    checkGoBinary(binPath, { module: 'github.com/hashicorp/consul-template', version: 'v0.42.1', goos: 'linux', goarch: 'arm64', machine: EM_AARCH64 }),
  async build(go, workDir, binPath) {
    const modCache = (await runGo(go, 'consul-template arm64', { label: 'go env GOMODCACHE', args: ['env', 'GOMODCACHE'], cwd: workDir })).trim();
    // go install refuses GOBIN for a cross build: it writes bin/linux_arm64/ (bin/ on an arm64 host)
    // under GOPATH, a folder of the build's own, while GOMODCACHE keeps the shared module cache.
    const gopath = join(workDir, 'gopath');
    await runGo(go, 'consul-template arm64', {
      label: 'go install github.com/hashicorp/consul-template@v0.42.1 (linux/arm64)',
      args: ['install', '-v', ...STATIC_FLAGS, 'github.com/hashicorp/consul-template@v0.42.1'],
      cwd: workDir,
      env: { GOPATH: gopath, GOMODCACHE: modCache, GOBIN: '', GOOS: 'linux', GOARCH: 'arm64' },
    });
    const built = [join(gopath, 'bin', 'linux_arm64', 'consul-template'), join(gopath, 'bin', 'consul-template')].find((p) => existsSync(p));
    if (!built) throw new Error(`go install left no consul-template in ${join(gopath, 'bin')} (expected ${binPath})`);
    await rename(built, binPath);
    await rm(gopath, { recursive: true });
  },
};

/** consul-template built for the given architecture; amd64 is the host build the images have always carried. */
export function consulTemplateFor(arch: 'amd64' | 'arm64'): ToolRecipe {
  return arch === 'amd64' ? consulTemplate : consulTemplateArm64;
}

// Consul's own go.mod replaces three submodules with local folders that the
// module zip does not carry; their published versions are already required.
const CONSUL_LOCAL_SUBMODULES = ['api', 'sdk', 'proto-public'].map((m) => `github.com/hashicorp/consul/${m}`);

export const consul: ToolRecipe = {
  name: 'consul',
  version: '1.14.11',
  license: 'MPL-2.0',
  versionArgs: ['version'],
  versionPattern: /^Consul v1\.14\.11\b/,
  acceptOnPath: true,
  async build(go, workDir, binPath) {
    const module = `github.com/hashicorp/consul@v${this.version}`;
    const json = await runGo(go, 'consul', { label: `go mod download ${module}`, args: ['mod', 'download', '-json', module], cwd: workDir });
    const { Dir } = JSON.parse(json) as { Dir: string };
    const src = join(workDir, 'src');
    await cp(Dir, src, { recursive: true });
    await makeWritable(src);
    await runGo(go, 'consul', {
      label: 'go mod edit (drop local replaces)',
      args: ['mod', 'edit', ...CONSUL_LOCAL_SUBMODULES.map((m) => `-dropreplace=${m}`)],
      cwd: src,
    });
    await runGo(go, 'consul', { label: 'go mod tidy', args: ['mod', 'tidy'], cwd: src });
    await runGo(go, 'consul', {
      label: 'go build',
      args: ['build', '-v', ...STATIC_FLAGS, '-o', binPath, '.'],
      cwd: src,
    });
  },
};

/** Module cache files are read-only; the copy must be editable and removable. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

export const RECIPES = [consulTemplate, consulTemplateArm64, consul];
