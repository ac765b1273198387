import { describe, expect, it } from 'vitest';
import { connectEngine } from './engine';

describe('connectEngine', () => {
  it('names the endpoint that does not answer and the fix', async () => {
    const socket = '/tmp/microbox-no-such-engine.sock';
    await expect(connectEngine({ DOCKER_HOST: `unix://${socket}` }, 1000)).rejects.toThrow(
      `the Docker engine at unix://${socket} does not answer (ENOENT): start that engine, or unset DOCKER_HOST to use the local one`,
    );
  });

  it('refuses an endpoint scheme it cannot speak', async () => {
    await expect(connectEngine({ DOCKER_HOST: 'ssh://user@host' })).rejects.toThrow('DOCKER_HOST=ssh://user@host is not supported here');
  });
});
