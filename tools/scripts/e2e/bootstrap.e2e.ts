import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, readElfLinkageOfFile } from '../../../libs/elf/src/elf';
import { readGoBuildInfoOfFile } from '../../../libs/sbom/src/go-buildinfo';
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

  it('builds consul-template for arm64 beside the amd64 one: a static aarch64 ELF of v0.42.1, by its own build information', async () => {
    expect(consulTemplateFor('amd64')).toBe(consulTemplate);
    const amd64 = await locateTool(consulTemplate);
    const arm64 = await locateTool(consulTemplateArm64);
    expect(amd64.path).toBe(join(toolsDir(), 'consul-template', '0.42.1', 'bin', 'consul-template'));
    expect(arm64.path).toBe(join(toolsDir(), 'consul-template', '0.42.1-linux-arm64', 'bin', 'consul-template'));
    const info = await readGoBuildInfoOfFile(arm64.path);
    expect(info.main).toMatchObject({ path: 'github.com/hashicorp/consul-template', version: 'v0.42.1' });
    expect(info.settings).toEqual(expect.arrayContaining([['GOOS', 'linux'], ['GOARCH', 'arm64'], ['CGO_ENABLED', '0'], ['-trimpath', 'true']]));
    const elf = readElfLinkageOfFile(arm64.path);
    expect(elf).toMatchObject({ machine: EM_AARCH64, isStatic: true, class: 64 });
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
      'FAIL  docker engine    DOCKER_HOST=unix:///tmp/microbox-no-engine.sock does not answer: start that engine, or unset DOCKER_HOST to use the local one',
    ]);
    expect(run.stdout).not.toMatch(/started dockerd|installing/);
  });

  describe('with a broken cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'microbox-tools-'));
    afterAll(() => rmSync(cache, { recursive: true, force: true }));

    it('rebuilds a truncated consul-template and an arm64 one of the wrong architecture, to the same bytes as before', async () => {
      const shared = toolsDir();
      // A private cache: both consul-templates copied (they get damaged), Consul linked (read only).
      for (const tool of TOOLS) {
        mkdirSync(join(toolDir(tool, cache), 'bin'), { recursive: true });
        copyFileSync(join(toolDir(tool, shared), 'tool.json'), join(toolDir(tool, cache), 'tool.json'));
      }
      copyFileSync(toolBinary(consulTemplate, shared), toolBinary(consulTemplate, cache));
      linkSync(toolBinary(consul, shared), toolBinary(consul, cache));
      const good = readRecord(cache, consulTemplate);
      const goodArm64 = readRecord(cache, consulTemplateArm64);
      truncateSync(toolBinary(consulTemplate, cache), 1_000_000);
      // The amd64 build in the arm64 place, recorded as if built there: only its build information tells.
      copyFileSync(toolBinary(consulTemplate, shared), toolBinary(consulTemplateArm64, cache));
      const amd64Record = readRecord(shared, consulTemplate);
      writeFileSync(join(toolDir(consulTemplateArm64, cache), 'tool.json'), JSON.stringify({ ...goodArm64, sha256: amd64Record.sha256, size: amd64Record.size }));

      const run = runBootstrap({ MICROBOX_TOOLS_DIR: cache });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^\.\. +consul-template +cached build is broken, rebuilding: .* is 1000000 bytes, was built as \d+/m);
      expect(run.stdout).toMatch(/^ok +consul-template +0\.42\.1 built in /m);
      expect(run.stdout).toMatch(/^\.\. +consul-template arm64 cached binary is not the right one, rebuilding: .* GOARCH is amd64, expected arm64; its ELF machine is 62, expected 183$/m);
      expect(run.stdout).toMatch(/^ok +consul-template arm64 0\.42\.1 built in /m);
      expect(run.stdout).toMatch(/^ok +consul +1\.14\.11 \(MPL-2\.0\) cached/m);
      // -trimpath and a fixed module version make the rebuilds byte-identical.
      expect(await sha256File(toolBinary(consulTemplate, cache))).toBe(good.sha256);
      expect(await sha256File(toolBinary(consulTemplateArm64, cache))).toBe(goodArm64.sha256);
    });
  });
});
