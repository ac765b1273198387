import { describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import { loadFailure } from './daemon';
import { eventStream, fakeModem } from './testing/event-stream';

// The real load (skip when present, tags, errors from the engine) is proven in e2e/oci.e2e.ts; this is the stream reading alone.
const engine = { docker: { modem: fakeModem } } as unknown as Pick<Engine, 'docker'>;

describe('loadFailure', () => {
  it('finds the error the engine puts inside a load stream that ends normally, in one line', async () => {
    const events = [{ stream: 'Loading layer\n' }, { errorDetail: { message: 'open /var/lib/docker/x:\n no such file' }, error: 'open' }];
    expect(await loadFailure(engine, eventStream(events))).toBe('open /var/lib/docker/x: no such file');
  });

  it('finds none in a stream that loaded', async () => {
    expect(await loadFailure(engine, eventStream([{ stream: 'Loaded image ID: sha256:abc\n' }]))).toBeUndefined();
  });
});
