import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import { explainPushError, pushImage } from './push';
import { parseRegistry } from './reference';
import { eventStream, fakeModem } from '../testing/event-stream';

/** An engine whose pushes stream the given events, recording tags and pushes. */
function fakeEngine(events: object[], { missing = false } = {}) {
  const calls: string[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: async () => {
        if (missing) throw Object.assign(new Error('no such image'), { statusCode: 404 });
        return { Id: name };
      },
      tag: async (o: { repo: string; tag: string }) => void calls.push(`tag ${name} ${o.repo}:${o.tag}`),
      push: async (o: { tag: string; authconfig: unknown }) => {
        calls.push(`push ${name}:${o.tag} ${JSON.stringify(o.authconfig)}`);
        return eventStream(events);
      },
    }),
    modem: fakeModem,
  };
  return { engine: { docker, endpoint: 'fake', version: '20.10', apiVersion: '1.41' } as unknown as Engine, calls };
}

const registry = parseRegistry('127.0.0.1:5000');

describe('pushImage', () => {
  it('tags every record tag under the registry, pushes each, and reports each layer once per status', async () => {
    const { engine, calls } = fakeEngine([
      { status: 'The push refers to repository [127.0.0.1:5000/greeter]' },
      { id: 'aaa', status: 'Preparing' },
      { id: 'aaa', status: 'Pushing', progress: '[=>  ] 1MB/2MB' },
      { id: 'aaa', status: 'Pushing', progress: '[==> ] 2MB/2MB' },
      { id: 'aaa', status: 'Pushed' },
      { id: 'bbb', status: 'Layer already exists' },
      { status: 'latest: digest: sha256:d size: 1' },
      { aux: { Tag: 'latest', Digest: 'sha256:d', Size: 1 } },
    ]);
    const lines: string[] = [];
    const pushed = await pushImage(engine, { id: 'sha256:1', tags: ['greeter:latest', 'greeter:abc'], registry, onProgress: (l) => lines.push(l) });
    expect(calls).toEqual([
      'tag sha256:1 127.0.0.1:5000/greeter:latest',
      'tag sha256:1 127.0.0.1:5000/greeter:abc',
      'push 127.0.0.1:5000/greeter:latest {"serveraddress":"127.0.0.1:5000"}',
      'push 127.0.0.1:5000/greeter:abc {"serveraddress":"127.0.0.1:5000"}',
    ]);
    expect(pushed[0]).toEqual({
      reference: '127.0.0.1:5000/greeter:latest',
      digest: 'sha256:d',
      layers: [{ layer: 'aaa', status: 'Pushed' }, { layer: 'bbb', status: 'Layer already exists' }],
    });
    expect(lines.slice(0, 5)).toEqual(['pushing 127.0.0.1:5000/greeter:latest', '  aaa: Preparing', '  aaa: Pushing', '  aaa: Pushed', '  bbb: Layer already exists']);
  });

  it('checks every name before tagging anything', async () => {
    const { engine, calls } = fakeEngine([]);
    await expect(pushImage(engine, { id: 'sha256:1', tags: ['greeter:latest', 'Greeter:x'], registry })).rejects.toThrow('"Greeter" is not a valid repository name part');
    expect(calls).toEqual([]);
  });

  it('says when the image is gone from the daemon', async () => {
    const { engine } = fakeEngine([], { missing: true });
    await expect(pushImage(engine, { id: 'sha256:1', tags: ['greeter:latest'], registry })).rejects.toThrow('image sha256:1 (greeter:latest) is not in the daemon: build it again');
  });

  it("reads a failure from the stream's errorDetail", async () => {
    const { engine } = fakeEngine([{ errorDetail: { message: 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused' } }]);
    await expect(pushImage(engine, { id: 'sha256:1', tags: ['greeter:latest'], registry })).rejects.toThrow(/the registry 127.0.0.1:5000 refuses connections/);
  });
});

describe('explainPushError', () => {
  it('tells a refused login from a missing one', () => {
    expect(explainPushError('r/a:1', { registry }, 'no basic auth credentials')).toMatch(/no credentials for 127.0.0.1:5000 in the Docker config file: run `docker login 127.0.0.1:5000`/);
    expect(explainPushError('r/a:1', { registry, auth: { username: 'a', password: 'b', serveraddress: 'x' } }, 'unauthorized: authentication required')).toMatch(
      /were refused: run `docker login 127.0.0.1:5000` again/,
    );
    expect(explainPushError('r/a:1', { registry }, 'http: server gave HTTP response to HTTPS client')).toMatch(/speaks plain HTTP/);
    expect(explainPushError('r/a:1', { registry }, 'something else')).toBe('push of r/a:1 failed: something else');
  });
});
