import { cp, chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EM_AARCH64, EM_X86_64 } from '../../elf/src/elf';
import type { GoToolchain } from '../../gobuild/src/find-go';
import type { GoBinaryExpectation } from './go-binary-check';
import { runGo } from './go-build-tool';
import { goInstallFor, STATIC_FLAGS } from './go-install-for';

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
  /** Names the cache folder beside the version (e.g. linux/arm64), so builds for several platforms are kept apart. */
  platform?: string;
  /**
   * For a tool built for one platform whatever the host: what its Go build
   * information and ELF header must say. It is also run (versionArgs) where the
   * host runs that platform. Without it, a tool is a host build, judged by running it.
   */
  goBinary?: GoBinaryExpectation;
  build(go: GoToolchain, workDir: string, binPath: string): Promise<void>;
}

const CONSUL_TEMPLATE_MACHINE = { amd64: EM_X86_64, arm64: EM_AARCH64 };

/**
 * consul-template v0.42.1, static, for linux/<arch> on any host (a cross build
 * where the host is another platform), judged by its build information and
 * ELF header. amd64 keeps the cache folder it had before arm64 was added.
 */
function consulTemplateRecipe(arch: 'amd64' | 'arm64'): ToolRecipe {
  const goBinary: GoBinaryExpectation = {
    module: 'github.com/hashicorp/consul-template',
    version: 'v0.42.1',
    goos: 'linux',
    goarch: arch,
    machine: CONSUL_TEMPLATE_MACHINE[arch],
  };
  return {
    name: 'consul-template',
    version: '0.42.1',
    license: 'MPL-2.0',
    versionArgs: ['-version'],
    versionPattern: /^consul-template v0\.42\.1\b/,
    // The images carry this exact build, so it always comes from the cache.
    acceptOnPath: false,
    ...(arch === 'amd64' ? {} : { platform: `linux/${arch}` }),
    goBinary,
    build: (go, workDir, binPath) =>
      goInstallFor(go, arch === 'amd64' ? 'consul-template' : `consul-template ${arch}`, goBinary, `${goBinary.module}@${goBinary.version}`, workDir, binPath),
  };
}

export const consulTemplate = consulTemplateRecipe('amd64');
const consulTemplateArm64 = consulTemplateRecipe('arm64');

/** consul-template built for linux/<arch>, whatever the host. */
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
