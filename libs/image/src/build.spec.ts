import { describe, expect, it, vi } from 'vitest';
import { buildImage } from './build';
import type { Engine } from './engine';
import { eventStream, fakeModem } from './testing/event-stream';

/** An engine whose build streams the given events, recording what gets tagged. */
function fakeEngine(events: object[]) {
  const tagged: unknown[] = [];
  const docker = {
    buildImage: vi.fn(async () => {
      return eventStream(events);
    }),
    modem: fakeModem,
    getImage: (id: string) => ({ tag: async (opts: unknown) => void tagged.push({ id, ...(opts as object) }) }),
  };
  return { engine: { docker, endpoint: 'fake', version: '20.10', apiVersion: '1.41' } as unknown as Engine, tagged, docker };
}

describe('buildImage', () => {
  it('returns the id the daemon reports and only then tags it, with forcerm', async () => {
    const { engine, tagged, docker } = fakeEngine([{ stream: 'Step 1/1 : FROM scratch\n' }, { aux: { ID: 'sha256:1234' } }]);
    const lines: string[] = [];
    const id = await buildImage(engine, { context: Buffer.alloc(0), tags: ['microbox-test/a:1', 'localhost:5000/b'], onProgress: (l) => lines.push(l) });
    expect(id).toBe('sha256:1234');
    expect(lines).toEqual(['Step 1/1 : FROM scratch']);
    expect(tagged).toEqual([
      { id: 'sha256:1234', repo: 'microbox-test/a', tag: '1' },
      { id: 'sha256:1234', repo: 'localhost:5000/b', tag: 'latest' },
    ]);
    expect(docker.buildImage).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ forcerm: true }));
  });

  it("reports a failed step with the daemon's own error and tags nothing", async () => {
    const { engine, tagged } = fakeEngine([
      { stream: 'Step 2/3 : COPY nope/ /\n' },
      { errorDetail: { message: 'COPY failed: file not found in build context' }, error: 'COPY failed: file not found in build context' },
    ]);
    await expect(buildImage(engine, { context: Buffer.alloc(0), tags: ['microbox-test/a:1'] })).rejects.toThrow(
      'docker build failed: COPY failed: file not found in build context',
    );
    expect(tagged).toEqual([]);
  });
});
