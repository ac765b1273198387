import { describe, expect, it } from 'vitest';
import { Authenticator, parseChallenges, repositoryScope } from './auth';
import type { Credentials } from './credentials';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with quoted parameters, commas inside quotes included', () => {
    expect(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads Basic, unquoted values, escapes, odd spacing and several challenges in one header', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseChallenges('BEARER  realm = https://a/t , service=svc, error="insufficient_scope"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'svc', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm="https://t"')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://t' } },
    ]);
    expect(parseChallenges('')).toEqual([]);
  });

  it('makes repository scopes', () => {
    expect(repositoryScope('team/greeter', ['pull', 'push'])).toBe('repository:team/greeter:pull,push');
  });
});

/** An Authenticator whose token requests are recorded and answered by `answer`. */
function withTokenService(credentials: Credentials | undefined, answer: (url: URL, init: RequestInit) => Response) {
  const requests: { url: URL; init: RequestInit }[] = [];
  let lookups = 0;
  const auth = new Authenticator({
    host: 'r.example.com',
    credentials: async () => (lookups++, credentials),
    scopes: ['repository:greeter:pull,push', 'repository:base:pull'],
    send: async (url, init) => {
      requests.push({ url: new URL(url), init });
      return answer(new URL(url), init);
    },
  });
  return { auth, requests, lookups: () => lookups };
}

const BEARER = 'Bearer realm="https://auth.example.com/token",service="reg"';

describe('Authenticator', () => {
  it('is anonymous until challenged', async () => {
    const { auth, lookups } = withTokenService(undefined, () => new Response('{}'));
    expect(await auth.authorization()).toBeUndefined();
    expect(lookups()).toBe(0);
  });

  it('answers Basic with the credentials', async () => {
    const { auth } = withTokenService({ username: 'ci', password: 'pw', source: 's' }, () => new Response('{}'));
    await auth.answer('Basic realm="r"', auth.authorization());
    expect(await auth.authorization()).toBe(`Basic ${Buffer.from('ci:pw').toString('base64')}`);
  });

  it('gets a bearer token for every scope of the push with Basic credentials, taking token or access_token, once', async () => {
    const { auth, requests, lookups } = withTokenService({ username: 'ci', password: 'pw', source: 's' }, () => Response.json({ access_token: 'AT' }));
    await auth.answer(BEARER, auth.authorization());
    expect(await auth.authorization()).toBe('Bearer AT');
    expect(await auth.authorization()).toBe('Bearer AT');
    expect(requests).toHaveLength(1);
    const { url, init } = requests[0]!;
    expect(url.origin + url.pathname).toBe('https://auth.example.com/token');
    expect(url.searchParams.get('service')).toBe('reg');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:greeter:pull,push', 'repository:base:pull']);
    expect((init.headers as Record<string, string>).Authorization).toBe(`Basic ${Buffer.from('ci:pw').toString('base64')}`);
    expect(lookups()).toBe(1);
  });

  it('asks again for a new scope or an expired token, but not when another request already has', async () => {
    let n = 0;
    const { auth, requests } = withTokenService(undefined, () => Response.json({ token: `T${++n}` }));
    await auth.answer(BEARER, auth.authorization());
    const first = auth.authorization();
    await auth.answer(`${BEARER},scope="repository:other:pull"`, first);
    expect(await auth.authorization()).toBe('Bearer T2');
    expect(requests[1]!.url.searchParams.getAll('scope')).toEqual(['repository:greeter:pull,push', 'repository:base:pull', 'repository:other:pull']);
    // Two requests refused with T2 at once: one new token.
    const second = auth.authorization();
    await Promise.all([auth.answer(BEARER, second), auth.answer(BEARER, second)]);
    expect(await auth.authorization()).toBe('Bearer T3');
    // A request refused with T1 after T3 came just uses T3.
    await auth.answer(BEARER, first);
    expect(requests).toHaveLength(3);
    expect(requests[0]!.init.headers).toEqual({});
  });

  it('POSTs an identity token as an OAuth2 refresh token', async () => {
    const { auth, requests } = withTokenService({ identityToken: 'REFRESH', source: 's' }, () => Response.json({ access_token: 'AT' }));
    await auth.answer(BEARER, auth.authorization());
    const { init } = requests[0]!;
    expect(init.method).toBe('POST');
    const form = new URLSearchParams(init.body as string);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('REFRESH');
    expect(form.get('scope')).toBe('repository:greeter:pull,push repository:base:pull');
    expect(form.get('service')).toBe('reg');
  });

  it('says in one line, without the password, that the token service refused the credentials', async () => {
    const { auth } = withTokenService({ username: 'ci', password: 'SECRETPW', source: 'docker-credential-x' }, () => new Response('denied', { status: 401 }));
    const error = (await auth.answer(BEARER, auth.authorization()).catch((e: Error) => e)) as Error;
    expect(error.message).toBe(
      'registry r.example.com refused the credentials from docker-credential-x (https://auth.example.com/token): run `docker login r.example.com` again, or fix them there',
    );
    expect(error.message).not.toContain('SECRETPW');
  });

  it('names a challenge it cannot answer', async () => {
    const { auth } = withTokenService(undefined, () => new Response('{}'));
    await expect(auth.answer('Negotiate abc', auth.authorization())).rejects.toThrow('registry r.example.com answered 401 without a Basic or Bearer challenge (WWW-Authenticate: Negotiate abc)');
    await expect(auth.answer('Bearer service="x"', auth.authorization())).rejects.toThrow('names no realm');
  });
});
