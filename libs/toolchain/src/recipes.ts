import { cp, chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoToolchain } from '../../gobuild/src/find-go';
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

export const RECIPES = [consulTemplate, consul];
