import { PassThrough } from 'node:stream';

/** A daemon's JSON progress stream (build, push) that carries the given events. */
export function eventStream(events: object[]): PassThrough {
  const stream = new PassThrough();
  stream.end(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return stream;
}

/** docker-modem's followProgress for an event stream: each line an event, then done. */
export const fakeModem = {
  followProgress(stream: NodeJS.ReadableStream, done: (err: Error | null) => void, onEvent: (e: object) => void) {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.on('end', () => {
      for (const line of text.split('\n').filter(Boolean)) onEvent(JSON.parse(line));
      done(null);
    });
  },
};
