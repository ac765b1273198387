import { connect } from 'node:http2';

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by number. */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/**
 * Calls grpc.health.v1.Health/Check over plain HTTP/2, as any gRPC client
 * does, with no gRPC library: the request is one length-prefixed protobuf
 * message (field 1, the service name, as a string) and so is the answer
 * (field 1, the status, as a varint). Resolves with the status's name, or
 * rejects with the grpc-status and message the server sent.
 */
export function grpcHealth(address: string, service = '', timeoutMs = 2000): Promise<(typeof SERVING_STATUS)[number]> {
  const name = Buffer.from(service, 'utf8');
  const message = name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
  const frame = Buffer.concat([Buffer.from([0]), uint32(message.length), message]);
  return new Promise((resolve, reject) => {
    const client = connect(`http://${address}`);
    const done = (err?: Error, status?: (typeof SERVING_STATUS)[number]) => {
      client.close();
      if (err) reject(err);
      else resolve(status!);
    };
    client.on('error', (err) => done(err));
    client.setTimeout(timeoutMs, () => done(new Error(`no answer from ${address} within ${timeoutMs} ms`)));
    const req = client.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    let trailers: Record<string, unknown> = {};
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('trailers', (t) => (trailers = t));
    req.on('error', (err) => done(err));
    req.on('end', () => {
      const grpcStatus = String(trailers['grpc-status'] ?? '');
      if (grpcStatus !== '0') return done(new Error(`grpc-status ${grpcStatus}: ${String(trailers['grpc-message'] ?? '')}`));
      const body = Buffer.concat(chunks);
      // An empty message is the status 0 (UNKNOWN); otherwise field 1, varint (tag 0x08), one byte for these values.
      const payload = body.subarray(5, 5 + body.readUInt32BE(1));
      const status = payload.length >= 2 && payload[0] === 0x08 ? payload[1]! : 0;
      done(undefined, SERVING_STATUS[status] ?? 'UNKNOWN');
    });
    req.end(frame);
  });
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
