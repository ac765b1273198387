import type { Credentials } from './credentials';

/** One challenge of a `WWW-Authenticate` header: its scheme (lower case) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` (RFC 7235): one or more challenges, each a
 * scheme and comma-separated `key=value` or `key="quoted, value"` pairs.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/y;
  const param = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let at = 0;
  while (at < header.length) {
    token.lastIndex = at;
    const scheme = token.exec(header);
    if (!scheme) break;
    at = token.lastIndex;
    const challenge: Challenge = { scheme: scheme[1]!.toLowerCase(), params: {} };
    for (;;) {
      param.lastIndex = at;
      const p = param.exec(header);
      if (!p) break;
      challenge.params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
      at = param.lastIndex;
    }
    challenges.push(challenge);
    // Skip a separator left between challenges.
    while (header[at] === ',' || header[at] === ' ') at++;
  }
  return challenges;
}

/** `repository:<name>:<actions>`, the scope a bearer token is asked for. */
export function repositoryScope(name: string, actions: readonly string[]): string {
  return `repository:${name}:${actions.join(',')}`;
}

export interface AuthenticatorOptions {
  /** `host[:port]`, for messages. */
  host: string;
  /** Asked for at the first challenge that needs them, once; undefined is anonymous. */
  credentials: () => Promise<Credentials | undefined>;
  /** The scopes every bearer token of this push asks for (push on the target, pull on mount sources). */
  scopes: readonly string[];
  /** Sends a token request; the registry client passes its own (retries, plain HTTP on loopback). */
  send: (url: string, init: RequestInit) => Promise<Response>;
}

/**
 * Answers a registry's `WWW-Authenticate` challenge: Basic sends the
 * credentials, Bearer gets a token from the realm for the push's scopes
 * (GET with Basic credentials, or POST of an identity token as an OAuth2
 * refresh token), kept for the push and asked again only when refused.
 */
export class Authenticator {
  private credentialsOnce: Promise<Credentials | undefined> | undefined;
  /** The header in force, as a promise: requests hand it back when refused, so one refusal is answered once. */
  private header: Promise<string | undefined> = Promise.resolve(undefined);
  /** Scopes a challenge asked for beyond the push's own. */
  private readonly extraScopes: string[] = [];

  constructor(private readonly options: AuthenticatorOptions) {}

  /** The `Authorization` header to send now (undefined before any challenge, or when anonymous); pass it back to answer(). */
  authorization(): Promise<string | undefined> {
    return this.header;
  }

  /** Where the credentials came from, if any (never a secret). */
  async credentialSource(): Promise<string | undefined> {
    return (await this.credentials())?.source;
  }

  /**
   * Takes a 401's challenge and works out the header to send again: a new
   * token (the old one expired, or lacks a scope the challenge names), or
   * the Basic credentials. `used` is what authorization() gave the refused
   * request: when another request has answered since, its header is kept.
   */
  async answer(wwwAuthenticate: string | null, used: Promise<string | undefined>): Promise<void> {
    if (used !== this.header) {
      await this.header;
      return;
    }
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const next = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!next) {
      throw new Error(`registry ${this.options.host} answered 401 without a Basic or Bearer challenge (WWW-Authenticate: ${wwwAuthenticate ?? 'none'}): it cannot be logged in to`);
    }
    const scope = next.params.scope;
    if (scope && !this.coveredScopes().includes(scope)) this.extraScopes.push(scope);
    this.header = this.makeHeader(next);
    // Surface a token service's refusal now, not at the next request.
    await this.header;
  }

  private coveredScopes(): string[] {
    return [...this.options.scopes, ...this.extraScopes];
  }

  private credentials(): Promise<Credentials | undefined> {
    this.credentialsOnce ??= this.options.credentials();
    return this.credentialsOnce;
  }

  private async makeHeader(challenge: Challenge): Promise<string | undefined> {
    const credentials = await this.credentials();
    if (challenge.scheme === 'basic') {
      if (!credentials?.username || credentials.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    const token = await this.fetchToken(challenge, credentials);
    return `Bearer ${token}`;
  }

  private async fetchToken(challenge: Challenge, credentials: Credentials | undefined): Promise<string> {
    const { host } = this.options;
    const realm = challenge.params.realm;
    if (!realm) throw new Error(`registry ${host} asks for a bearer token but names no realm to get it from`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new Error(`registry ${host} names a token realm that is not a URL: ${realm}`);
    }
    const service = challenge.params.service;
    const scopes = this.coveredScopes();
    let res: Response;
    if (credentials?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'microbox' });
      if (service) form.set('service', service);
      form.set('scope', scopes.join(' '));
      res = await this.options.send(url.href, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials?.username && credentials.password !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      res = await this.options.send(url.href, { method: 'GET', headers });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RefusedCredentialsError(host, url.origin + url.pathname, credentials);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`the token service of ${host} (${url.origin}${url.pathname}) answered ${res.status}: try again later, or check the registry`);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) {
      throw new Error(`the token service of ${host} (${url.origin}${url.pathname}) gave no token or access_token`);
    }
    return token;
  }
}

/** Credentials a registry or its token service refused: one line naming the host and how to log in. */
export class RefusedCredentialsError extends Error {
  constructor(host: string, where: string, credentials: Credentials | undefined) {
    super(
      credentials
        ? `registry ${host} refused the credentials from ${credentials.source} (${where}): run \`docker login ${host}\` again, or fix them there`
        : `registry ${host} wants credentials and none were found for it (${where}): run \`docker login ${host}\`, or name a credential helper for it in the Docker config`,
    );
    this.name = 'RefusedCredentialsError';
  }
}
