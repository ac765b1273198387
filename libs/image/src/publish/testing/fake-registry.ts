import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory distribution API on loopback for unit specs (the real
 * registry is in the e2e suite): blobs per repository, uploads, mounts,
 * manifests, and a hook that can answer any request first (to fail it).
 */
export interface FakeRegistry {
  host: string;
  /** `METHOD path` of every request, in order. */
  log: string[];
  blobs: Map<string, Set<string>>;
  manifests: Map<string, { mediaType: string; body: Buffer }>;
  /** Answers a request before the registry does; return true when it did. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const blobs = new Map<string, Set<string>>();
  const manifests = new Map<string, { mediaType: string; body: Buffer }>();
  const log: string[] = [];
  const has = (repo: string, digest: string) => blobs.get(repo)?.has(digest) ?? false;
  const add = (repo: string, digest: string) => (blobs.get(repo) ?? blobs.set(repo, new Set()).get(repo)!).add(digest);
  const fake: FakeRegistry = {
    host: '',
    log,
    blobs,
    manifests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.method} ${url.pathname}${url.search}`);
    if (fake.intercept?.(req, res)) return;
    let m: RegExpExecArray | null;
    if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)) && req.method === 'HEAD') {
      return void res.writeHead(has(m[1]!, m[2]!) ? 200 : 404).end();
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(url.pathname)) && req.method === 'POST') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && has(from, mount)) {
        add(m[1]!, mount);
        return void res.writeHead(201).end();
      }
      return void res.writeHead(202, { Location: `/v2/${m[1]}/blobs/uploads/u${log.length}?state=x` }).end();
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/[^/]+$/.exec(url.pathname)) && req.method === 'PUT') {
      const digest = url.searchParams.get('digest')!;
      if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== digest) {
        return void res.writeHead(400).end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
      }
      add(m[1]!, digest);
      return void res.writeHead(201).end();
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname)) && req.method === 'PUT') {
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const manifest = JSON.parse(body.toString()) as { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
      const missing = [manifest.config, ...(manifest.layers ?? [])].filter((d) => d && !has(m![1]!, d.digest));
      const missingChild = (manifest.manifests ?? []).filter((d) => !manifests.has(`${m![1]}@${d.digest}`));
      if (missing.length || missingChild.length) {
        return void res.writeHead(400).end(JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
      }
      const stored = { mediaType: req.headers['content-type']!, body };
      manifests.set(`${m[1]}@${digest}`, stored);
      manifests.set(`${m[1]}:${m[2]}`, stored);
      return void res.writeHead(201, { 'Docker-Content-Digest': digest }).end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
