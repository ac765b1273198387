import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, imageExists } from '../src/build';
import { type ContextEntry, packContext } from '../src/context';
import { connectEngine, type Engine } from '../src/engine';
import { measureLayers } from '../src/layers';

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args)).stdout.trim();
const suffix = randomBytes(4).toString('hex');
const GOOD = `microbox-test/image-good-${suffix}:e2e`;
const BAD = `microbox-test/image-bad-${suffix}:e2e`;
let engine: Engine;

const files: ContextEntry[] = [
  { type: 'file', path: 'one/hello.txt', content: 'hello\n'.repeat(1000) },
  { type: 'file', path: 'two/bin/tool', content: Buffer.alloc(4096, 7), mode: 0o755 },
  { type: 'directory', path: 'two/tmp', mode: 0o1777 },
];

beforeAll(async () => void (engine = await connectEngine()));
afterAll(async () => {
  await run('docker', ['rmi', GOOD]).catch(() => {});
});

describe('buildImage against the daemon', () => {
  it('builds, tags, gives the same id for the same context, and measures each layer', async () => {
    const dockerfile = 'FROM scratch\nCOPY one/ /\nCOPY two/ /\n';
    const { tar } = await packContext([{ type: 'file', path: 'Dockerfile', content: dockerfile }, ...files]);
    const lines: string[] = [];
    const id = await buildImage(engine, { context: tar, tags: [GOOD], onProgress: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('Step 2/3 : COPY one/ /'))).toBe(true);
    expect(await docker('image', 'inspect', '-f', '{{.Id}}', GOOD)).toBe(id);
    expect(await buildImage(engine, { context: (await packContext([...files].reverse().concat({ type: 'file', path: 'Dockerfile', content: dockerfile }))).tar, tags: [] })).toBe(id);
    const layers = await measureLayers(engine, id);
    expect(layers).toHaveLength(2);
    expect(layers[0]!.bytes).toBeGreaterThan(6000);
    expect(layers[0]!.gzipBytes).toBeLessThan(layers[0]!.bytes);
  });

  it("fails with the daemon's own error, tags nothing and leaves no container", async () => {
    // RUN needs a shell that a scratch image does not have: a step that fails in a container.
    const { tar } = await packContext([{ type: 'file', path: 'Dockerfile', content: 'FROM scratch\nCOPY one/ /\nRUN /bin/sh -c true\n' }, ...files]);
    const lines: string[] = [];
    const error = await buildImage(engine, { context: tar, tags: [BAD], onProgress: (l) => lines.push(l) }).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(error).toMatch(/^docker build failed: .*\/bin\/sh/);
    expect(await imageExists(engine, BAD)).toBe(false);
    // The container the failed step ran in was made from the last layer built: none is left.
    const parent = lines.filter((l) => /^\s*---> [0-9a-f]{12}$/.test(l)).pop()!.trim().slice(5);
    expect(await docker('ps', '-aq', '--filter', `ancestor=${parent}`)).toBe('');
  });
});
