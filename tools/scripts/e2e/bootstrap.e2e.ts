import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consul, consulTemplate } from '../../../libs/toolchain/src/recipes';
import { sha256File } from '../../../libs/checksum/src/sha256';
import { toolBinary, toolDir, toolsDir, type ToolRecord } from '../../../libs/toolchain/src/tool-cache';
import { runBootstrap } from './run-bootstrap';

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
    expect(run.stdout).toMatch(/^ok +consul +1\.14\.11 /m);
  });

  // How fast that is, `npm run bench` measures (1.4 s here on an idle machine); a timed assertion would fail under load.
  it('changes nothing on a second run: no step does any work', () => {
    const dir = toolsDir();
    const before = [consulTemplate, consul].map((t) => statSync(join(toolDir(t, dir), 'tool.json')).mtimeMs);
    const run = runBootstrap();
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/^\.\./m);
    console.log(`second bootstrap run: ${run.ms} ms`);
    const after = [consulTemplate, consul].map((t) => statSync(join(toolDir(t, dir), 'tool.json')).mtimeMs);
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

    it('rebuilds a truncated consul-template, to the same bytes as before', async () => {
      const shared = toolsDir();
      // A private cache: consul-template copied (it gets truncated), Consul linked (read only).
      for (const tool of [consulTemplate, consul]) {
        mkdirSync(join(toolDir(tool, cache), 'bin'), { recursive: true });
        copyFileSync(join(toolDir(tool, shared), 'tool.json'), join(toolDir(tool, cache), 'tool.json'));
      }
      copyFileSync(toolBinary(consulTemplate, shared), toolBinary(consulTemplate, cache));
      linkSync(toolBinary(consul, shared), toolBinary(consul, cache));
      const good = readRecord(cache, consulTemplate);
      truncateSync(toolBinary(consulTemplate, cache), 1_000_000);

      const run = runBootstrap({ MICROBOX_TOOLS_DIR: cache });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^\.\. +consul-template +cached build is broken, rebuilding: .* is 1000000 bytes, was built as \d+/m);
      expect(run.stdout).toMatch(/^ok +consul-template +0\.42\.1 built in /m);
      expect(run.stdout).toMatch(/^ok +consul +1\.14\.11 \(MPL-2\.0\) cached/m);
      // -trimpath and a fixed module version make the rebuild byte-identical.
      expect(await sha256File(toolBinary(consulTemplate, cache))).toBe(good.sha256);
    });
  });
});
