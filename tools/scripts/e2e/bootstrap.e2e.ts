import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, readElfLinkageOfFile } from '../../../libs/elf/src/elf';
import { readGoBuildInfoOfFile } from '../../../libs/gobuild/src/go-buildinfo';
import { arm64Emulation } from '../../../libs/toolchain/src/emulation';
import { consul, consulTemplate, consulTemplateFor } from '../../../libs/toolchain/src/recipes';
import { sha256File } from '../../../libs/checksum/src/sha256';
import { toolBinary, toolDir, toolsDir, type ToolRecord } from '../../../libs/toolchain/src/tool-cache';
import { locateTool } from '../../../libs/toolchain/src/tools';
import { runBootstrap } from './run-bootstrap';

const consulTemplateArm64 = consulTemplateFor('arm64');
const TOOLS = [consulTemplate, consulTemplateArm64, consul];

const readRecord = (dir: string, tool: { name: string; version: string }): ToolRecord =>
  JSON.parse(readFileSync(join(toolDir(tool, dir), 'tool.json'), 'utf8'));

describe('bootstrap', () => {
  it('finds the engine, Go and both tools at their pinned versions', () => {
    const run = runBootstrap();
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok +node_modules +match package-lock\.json$/m);
    expect(run.stdout).toMatch(/^ok +docker engine +\S+ \(API 1\.\d+\)/m);
    expect(run.stdout).toMatch(/^ok +go +go1\.(2[6-9]|[3-9]\d)/m);
    expect(run.stdout).toMatch(/^ok +consul-template +0\.42\.1 /m);
    expect(run.stdout).toMatch(/^ok +consul-template arm64 +0\.42\.1 /m);
    expect(run.stdout).toMatch(/^ok +consul +1\.14\.11 /m);
    // Never a failure: where arm64 cannot be run, the line says why.
    expect(run.stdout).toMatch(/^ok +arm64 emulation +(binfmt_misc handler|not needed|none: arm64 images cannot be run here \(.+\))/m);
  });

  it('builds consul-template for linux/amd64 and linux/arm64 whatever the host: static ELFs of v0.42.1 for each, by their own build information', async () => {
    expect(consulTemplateFor('amd64')).toBe(consulTemplate);
    const amd64 = await locateTool(consulTemplate);
    const arm64 = await locateTool(consulTemplateArm64);
    expect(amd64.path).toBe(join(toolsDir(), 'consul-template', '0.42.1', 'bin', 'consul-template'));
    expect(arm64.path).toBe(join(toolsDir(), 'consul-template', '0.42.1-linux-arm64', 'bin', 'consul-template'));
    for (const [path, goarch, machine, microarchitecture] of [
      [amd64.path, 'amd64', EM_X86_64, ['GOAMD64', 'v1']],
      [arm64.path, 'arm64', EM_AARCH64, ['GOARM64', 'v8.0']],
    ] as const) {
      const info = await readGoBuildInfoOfFile(path);
      expect(info.main).toMatchObject({ path: 'github.com/hashicorp/consul-template', version: 'v0.42.1' });
      expect(info.settings).toEqual(expect.arrayContaining([['GOOS', 'linux'], ['GOARCH', goarch], ['CGO_ENABLED', '0'], ['-trimpath', 'true'], microarchitecture]));
      expect(readElfLinkageOfFile(path)).toMatchObject({ machine, isStatic: true, class: 64 });
    }
  });

  it('runs the arm64 consul-template where arm64 binaries can run', async (ctx) => {
    const emulation = await arm64Emulation();
    if (!emulation.ok) {
      console.log(`skipped: arm64 binaries cannot run here: ${emulation.reason}`);
      ctx.skip(emulation.reason);
    }
    const { path } = await locateTool(consulTemplateArm64);
    const out = execFileSync(path, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    expect(out).toMatch(/^consul-template v0\.42\.1 /);
  });

  // How fast that is, `npm run bench` measures (1.4 s here on an idle machine); a timed assertion would fail under load.
  it('changes nothing on a second run: no step does any work', () => {
    const dir = toolsDir();
    const before = TOOLS.map((t) => statSync(join(toolDir(t, dir), 'tool.json')).mtimeMs);
    const run = runBootstrap();
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/^\.\./m);
    console.log(`second bootstrap run: ${run.ms} ms`);
    const after = TOOLS.map((t) => statSync(join(toolDir(t, dir), 'tool.json')).mtimeMs);
    expect(after).toEqual(before);
  });

  it('stops with one clear line when the engine DOCKER_HOST names does not answer, and never touches the local one', () => {
    const run = runBootstrap({ DOCKER_HOST: 'unix:///tmp/microbox-no-engine.sock' });
    expect(run.status).toBe(1);
    const failures = run.stderr.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(failures).toEqual([
      'FAIL  docker engine         DOCKER_HOST=unix:///tmp/microbox-no-engine.sock does not answer: start that engine, or unset DOCKER_HOST to use the local one',
    ]);
    expect(run.stdout).not.toMatch(/started dockerd|installing/);
  });

  describe('with a broken cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'microbox-tools-'));
    afterAll(() => rmSync(cache, { recursive: true, force: true }));

    it('rebuilds an amd64 consul-template of the wrong architecture and a truncated arm64 one, to the same bytes as before', async () => {
      const shared = toolsDir();
      // A private cache: both consul-templates copied (they get damaged), Consul linked (read only).
      for (const tool of TOOLS) {
        mkdirSync(join(toolDir(tool, cache), 'bin'), { recursive: true });
        copyFileSync(join(toolDir(tool, shared), 'tool.json'), join(toolDir(tool, cache), 'tool.json'));
      }
      linkSync(toolBinary(consul, shared), toolBinary(consul, cache));
      const good = readRecord(cache, consulTemplate);
      const goodArm64 = readRecord(cache, consulTemplateArm64);
      // The arm64 build in the amd64 place, recorded as if built there (what a plain go install on an arm64 host made):
      // only its build information and ELF header tell.
      copyFileSync(toolBinary(consulTemplateArm64, shared), toolBinary(consulTemplate, cache));
      writeFileSync(join(toolDir(consulTemplate, cache), 'tool.json'), JSON.stringify({ ...good, sha256: goodArm64.sha256, size: goodArm64.size }));
      copyFileSync(toolBinary(consulTemplateArm64, shared), toolBinary(consulTemplateArm64, cache));
      truncateSync(toolBinary(consulTemplateArm64, cache), 1_000_000);

      const run = runBootstrap({ MICROBOX_TOOLS_DIR: cache });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^\.\. +consul-template +cached binary is not the right one, rebuilding: .* GOARCH is arm64, expected amd64; its ELF machine is 183, expected 62$/m);
      expect(run.stdout).toMatch(/^ok +consul-template +0\.42\.1 built in /m);
      expect(run.stdout).toMatch(/^\.\. +consul-template arm64 cached build is broken, rebuilding: .* is 1000000 bytes, was built as \d+/m);
      expect(run.stdout).toMatch(/^ok +consul-template arm64 0\.42\.1 built in /m);
      expect(run.stdout).toMatch(/^ok +consul +1\.14\.11 \(MPL-2\.0\) cached/m);
      // -trimpath and a fixed module version make the rebuilds byte-identical.
      expect(await sha256File(toolBinary(consulTemplate, cache))).toBe(good.sha256);
      expect(await sha256File(toolBinary(consulTemplateArm64, cache))).toBe(goodArm64.sha256);
    });
  });
});
