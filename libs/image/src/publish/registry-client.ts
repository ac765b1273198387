import { createHash } from 'node:crypto';
import { Authenticator, RefusedCredentialsError } from './auth';
import type { Credentials } from './credentials';

/** How often and how long a request is tried again after 429, 5xx or a reset connection. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the second try; doubled before each further one. */
  baseDelayMs: number;
  /** No wait is longer, Retry-After included. */
  maxDelayMs: number;
}

/** 5 tries, waiting 0.25, 0.5, 1 and 2 s between them: at most 3.75 s of waiting per request. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 4000 };

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/** Connection errors worth another try: the peer went away mid-request. Refused and unknown hosts are not. */
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

/** Loopback hosts speak plain HTTP, as Docker allows them without configuration. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Docker Hub is named docker.io, but its API answers at registry-1.docker.io. */
function apiHost(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

/** The network error's code, from fetch's `cause` chain. */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export interface RegistryClientOptions {
  /** `host[:port]`. */
  host: string;
  /** Plain HTTP for a host that is not loopback (a test registry on a LAN); loopback is always plain HTTP. */
  insecure?: boolean;
  /** Asked for at the registry's first challenge; undefined is anonymous. */
  credentials: () => Promise<Credentials | undefined>;
  /** The scopes every bearer token asks for, e.g. push on the target and pull on mount sources. */
  scopes: readonly string[];
  retry?: RetryPolicy;
  /** Called before each retry, for progress. */
  onRetry?: (what: string, attempt: number, delayMs: number, why: string) => void;
}

/** A blob's bytes, made anew for each try (a file stream cannot be read twice). */
export type BlobBody = () => Buffer | ReadableStream<Uint8Array>;

/**
 * The OCI distribution API calls a push needs, over Node's fetch: blob
 * HEAD, cross-repository mount, monolithic upload (POST then PUT), and
 * manifest PUT with its digest checked. 429, 5xx and reset connections are
 * tried again with exponential backoff; every call answers the registry's
 * auth challenge through the Authenticator.
 */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly auth: Authenticator;

  constructor(private readonly options: RegistryClientOptions) {
    this.baseUrl = `${options.insecure || isLoopbackHost(options.host) ? 'http' : 'https'}://${apiHost(options.host)}`;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.auth = new Authenticator({
      host: options.host,
      credentials: options.credentials,
      scopes: options.scopes,
      send: (url, init) => this.send(url, () => init, 'token request'),
    });
  }

  /** GET /v2/: whether the registry answers, and its challenge taken before the first real call. */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', { what: 'the registry check' });
    await this.expect(res, [200], 'the registry check (GET /v2/)');
    await res.body?.cancel();
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { what: `blob ${digest}` });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    await this.expect(res, [200, 404], `the check for blob ${digest} in ${repository}`);
    return false;
  }

  /**
   * Asks the registry to mount a blob from another repository. True when it
   * did (201); otherwise the upload URL it opened instead (202).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<true | string> {
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.request('POST', path, { what: `mount of ${digest}`, headers: { 'Content-Length': '0' } });
    if (res.status === 201) {
      await res.body?.cancel();
      return true;
    }
    await this.expect(res, [202], `the mount of blob ${digest} from ${from} into ${repository}`);
    await res.body?.cancel();
    return this.location(res, `the mount of blob ${digest}`);
  }

  /**
   * Uploads a blob in one PUT, into an upload the registry opened (a mount's
   * 202) or a new one. A PUT that fails with 429, 5xx or a reset may leave
   * its upload session broken, so each new try starts a new upload.
   */
  async uploadBlob(repository: string, digest: string, size: number, body: BlobBody, openedUpload?: string): Promise<void> {
    const what = `upload of ${digest}`;
    let upload = openedUpload;
    for (let attempt = 1; ; attempt++) {
      upload ??= await this.startUpload(repository, digest);
      const url = new URL(upload);
      url.searchParams.set('digest', digest);
      upload = undefined;
      let res: Response;
      try {
        res = await this.request('PUT', url.href, { what, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body, retry: false });
      } catch (err) {
        if (!(err instanceof ConnectionLostError) || attempt >= this.retry.attempts) throw err;
        await this.pause(what, attempt, err.code);
        continue;
      }
      if (RETRY_STATUS.has(res.status) && attempt < this.retry.attempts) {
        await res.body?.cancel();
        await this.pause(what, attempt, `HTTP ${res.status}`, res);
        continue;
      }
      await this.expect(res, [201, 204], `the upload of blob ${digest} to ${repository}`);
      await res.body?.cancel();
      return;
    }
  }

  /** PUTs a manifest or index under a tag or digest and checks the digest the registry says it stored. */
  async putManifest(repository: string, reference: string, manifest: Buffer, mediaType: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const res = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      what: `manifest ${repository}:${reference}`,
      headers: { 'Content-Type': mediaType, 'Content-Length': String(manifest.length) },
      body: () => manifest,
    });
    await this.expect(res, [201, 200], `the manifest ${repository}:${reference}`);
    await res.body?.cancel();
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new Error(`registry ${this.options.host} stored the manifest ${repository}:${reference} as ${stored}, not ${digest}: it changed the manifest; push to a registry that keeps manifests as sent`);
    }
    return digest;
  }

  /**
   * Whether the registry serves the OCI referrers API: GET
   * /v2/<name>/referrers/<digest> answers 200 with an image index. A
   * registry without it (distribution 2.8) answers 404.
   */
  async hasReferrersApi(repository: string, digest: string): Promise<boolean> {
    const res = await this.request('GET', `/v2/${repository}/referrers/${digest}`, { what: `referrers of ${digest}`, headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
    const isIndex = res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('application/vnd.oci.image.index.v1+json');
    await res.body?.cancel();
    return isIndex;
  }

  /** The repository's tags (GET /v2/<name>/tags/list); empty when the repository does not exist. */
  async tags(repository: string): Promise<string[]> {
    const res = await this.request('GET', `/v2/${repository}/tags/list`, { what: `tags of ${repository}` });
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    await this.expect(res, [200], `the tag list of ${repository}`);
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }

  private async startUpload(repository: string, digest: string): Promise<string> {
    const res = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { what: `upload of ${digest}`, headers: { 'Content-Length': '0' } });
    await this.expect(res, [202], `the start of the upload of blob ${digest} to ${repository}`);
    await res.body?.cancel();
    return this.location(res, `the upload of blob ${digest}`);
  }

  private location(res: Response, what: string): string {
    const location = res.headers.get('location');
    if (!location) throw new Error(`registry ${this.options.host} gave no Location for ${what}: it does not follow the distribution API`);
    return new URL(location, this.baseUrl).href;
  }

  /**
   * One call with auth: sends it; on 401 answers the challenge and sends it
   * again once; 401 again, or 403, is refused credentials.
   */
  private async request(
    method: string,
    pathOrUrl: string,
    { what, headers = {}, body, retry = true }: { what: string; headers?: Record<string, string>; body?: BlobBody; retry?: boolean },
  ): Promise<Response> {
    const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl;
    for (let answered = false; ; answered = true) {
      const ticket = this.auth.authorization();
      const authorization = await ticket;
      const init = (): RequestInit => {
        const b = body?.();
        return {
          method,
          headers: authorization ? { ...headers, Authorization: authorization } : headers,
          body: b,
          redirect: 'follow',
          // fetch sends a stream body only when told it is half duplex.
          ...(b && !Buffer.isBuffer(b) ? { duplex: 'half' } : {}),
        } as RequestInit;
      };
      const res = await this.send(url, init, what, retry ? this.retry.attempts : 1);
      if (res.status === 401 && !answered) {
        await res.body?.cancel();
        await this.auth.answer(res.headers.get('www-authenticate'), ticket);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw await this.refused(url);
      }
      return res;
    }
  }

  private async refused(url: string): Promise<Error> {
    const source = await this.auth.credentialSource();
    return new RefusedCredentialsError(this.options.host, new URL(url).pathname, source ? { source } : undefined);
  }

  /**
   * fetch with retries on 429, 5xx and reset connections; a refused
   * connection or unknown host is one line at once. After the last try the
   * response is returned as it is, for the caller to explain.
   */
  private async send(url: string, init: () => RequestInit, what: string, attempts = this.retry.attempts): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, init());
      } catch (err) {
        const code = errorCode(err);
        if (code && RETRY_CODES.has(code) && attempt < attempts) {
          await this.pause(what, attempt, code);
          continue;
        }
        throw this.unreachable(url, code, err as Error, attempt);
      }
      if (RETRY_STATUS.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await this.pause(what, attempt, `HTTP ${res.status}`, res);
        continue;
      }
      return res;
    }
  }

  private unreachable(url: string, code: string | undefined, err: Error, tries: number): Error {
    const host = this.options.host;
    const target = new URL(url);
    const at = `${target.protocol}//${target.host}`;
    if (code === 'ECONNREFUSED') return new Error(`registry ${host} refuses connections at ${at}: start it, or point the push at a registry that runs`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new Error(`registry host ${target.hostname} is not known to DNS: check the registry setting`);
    if (code && RETRY_CODES.has(code)) return new ConnectionLostError(code, `registry ${host} dropped the connection at ${at} (${code}) ${tries} ${tries === 1 ? 'time' : 'times'}: check that it runs and the network`);
    if (code && /CERT|SSL|TLS/.test(code)) return new Error(`registry ${host} at ${at}: TLS failed (${code}): give it a certificate this machine trusts, or use the insecure option for a plain-HTTP test registry`);
    if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(String((err.cause as Error)?.message))) {
      return new Error(`registry ${host} does not speak HTTPS at ${at}: serve it with TLS, or use the insecure option for a plain-HTTP test registry`);
    }
    return new Error(`registry ${host} could not be reached at ${at} (${code ?? (err.cause as Error)?.message ?? err.message}) after ${tries} ${tries === 1 ? 'try' : 'tries'}: check that it runs and the network`);
  }

  private async pause(what: string, attempt: number, why: string, res?: Response): Promise<void> {
    const backoff = this.retry.baseDelayMs * 2 ** (attempt - 1);
    const retryAfter = Number(res?.headers.get('retry-after'));
    const delay = Math.min(this.retry.maxDelayMs, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff);
    this.options.onRetry?.(what, attempt, delay, why);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Throws one line with the registry's own error code and message when the status is not one expected. */
  private async expect(res: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(res.status)) return;
    const text = await res.text().catch(() => '');
    throw new Error(`registry ${this.options.host} refused ${what}: HTTP ${res.status}${registryErrors(text)}`);
  }
}

/** A connection that was reset or timed out: worth another try, unlike a refused one. */
export class ConnectionLostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** The distribution API's `{"errors": [{code, message}]}` as ` CODE message; ...`, or nothing. */
export function registryErrors(body: string): string {
  try {
    const errors = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    const said = errors.map((e) => [e.code, e.message].filter(Boolean).join(' ')).filter(Boolean);
    return said.length ? ` ${said.join('; ')}` : '';
  } catch {
    return '';
  }
}
