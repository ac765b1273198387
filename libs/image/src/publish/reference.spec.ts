import { describe, expect, it } from 'vitest';
import { authKey, parseRegistry, registryReference, splitTag, tagOfRefName } from './reference';

describe('parseRegistry', () => {
  it('takes host[:port] with an optional namespace', () => {
    expect(parseRegistry('127.0.0.1:5000')).toEqual({ host: '127.0.0.1:5000', namespace: [] });
    expect(parseRegistry('ghcr.io/acme/team/')).toEqual({ host: 'ghcr.io', namespace: ['acme', 'team'] });
    expect(parseRegistry('localhost')).toEqual({ host: 'localhost', namespace: [] });
  });

  it('refuses what Docker would read differently or not at all, naming the value and the fix', () => {
    expect(() => parseRegistry('https://ghcr.io')).toThrow('MICROBOX_REGISTRY="https://ghcr.io" has a scheme: give host[:port][/namespace] without "https://"');
    expect(() => parseRegistry('myregistry')).toThrow(/"myregistry" has no dot and no port, so Docker would take it for a Docker Hub namespace.*docker\.io\/myregistry/);
    expect(() => parseRegistry('bad_host:5000')).toThrow('"bad_host:5000" is not a registry host');
    expect(() => parseRegistry('127.0.0.1:70000')).toThrow('port 70000 is not a TCP port');
    expect(() => parseRegistry('ghcr.io/Acme')).toThrow('namespace part "Acme" is not valid');
    expect(() => parseRegistry('', 'plugin option registry')).toThrow('plugin option registry=""');
  });
});

describe('registryReference', () => {
  const registry = parseRegistry('127.0.0.1:5000/team');

  it('puts the registry and namespace in front of the repository and keeps the tag', () => {
    expect(registryReference(registry, 'greeter:latest')).toEqual({ repository: '127.0.0.1:5000/team/greeter', tag: 'latest' });
    expect(registryReference(registry, 'microbox/basebox:0.1.0')).toEqual({ repository: '127.0.0.1:5000/team/microbox/basebox', tag: '0.1.0' });
    expect(registryReference(registry, 'greeter')).toEqual({ repository: '127.0.0.1:5000/team/greeter', tag: 'latest' });
  });

  it('names the bad part of a name', () => {
    expect(() => registryReference(registry, 'Greeter:latest')).toThrow('image name "Greeter:latest": "Greeter" is not a valid repository name part');
    expect(() => registryReference(registry, 'greeter:-x')).toThrow('image name "greeter:-x": tag "-x" is not valid');
    expect(() => registryReference(registry, 'a--b_c:1')).not.toThrow();
    expect(() => registryReference(registry, `${'a'.repeat(250)}:1`)).toThrow(/more than Docker's 255/);
  });
});

describe('splitTag and authKey', () => {
  it('splits at the colon after the last slash', () => {
    expect(splitTag('localhost:5000/a')).toEqual({ repository: 'localhost:5000/a', tag: 'latest' });
    expect(splitTag('localhost:5000/a:1')).toEqual({ repository: 'localhost:5000/a', tag: '1' });
  });
  it("keeps Docker Hub's legacy key", () => {
    expect(authKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(authKey('ghcr.io')).toBe('ghcr.io');
  });
});

describe('tagOfRefName', () => {
  it('takes a tag as it is, or the tag of a reference, and refuses anything else by name', () => {
    expect(tagOfRefName('latest')).toBe('latest');
    expect(tagOfRefName('greeter:1.0')).toBe('1.0');
    expect(tagOfRefName('127.0.0.1:5000/team/greeter:abc')).toBe('abc');
    expect(() => tagOfRefName('Bad Tag!')).toThrow('ref.name "Bad Tag!" is neither a tag nor a reference ending in :<tag>');
    expect(() => tagOfRefName('127.0.0.1:5000/greeter')).toThrow('ref.name "127.0.0.1:5000/greeter"');
  });
});

describe('parseRegistry with credentials in it', () => {
  it.each(['user:s3cr3t-token@registry.example.com', 'https://user:s3cr3t-token@registry.example.com/acme', 's3cr3t-token@registry.example.com'])('refuses %j naming the host, never the secret', (value) => {
    let message = '';
    try {
      parseRegistry(value);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^MICROBOX_REGISTRY holds credentials before "@registry\.example\.com(\/acme)?" \(not shown\): give only host\[:port\]\[\/namespace\] and log in with `docker login registry\.example\.com/);
    expect(message).not.toContain('s3cr3t-token');
    expect(message).not.toContain('user');
  });
});
