import { join } from 'node:path';
import { createCleartextMessage, generateKey, type Key, type PrivateKey, readKey, readPrivateKey, sign } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRelease, parseRelease, verifyInRelease } from './in-release';
import { readKeyring } from './keyring';

const RELEASE = `Origin: Debian
Label: Debian
Suite: oldstable
Codename: bookworm
Date: Sat, 11 Jul 2026 10:16:37 UTC
Acquire-By-Hash: yes
Architectures: all amd64 arm64
Components: main contrib
MD5Sum:
 0123456789abcdef0123456789abcdef 1234 main/binary-amd64/Packages.xz
SHA256:
 ${'a'.repeat(64)}  9001 main/binary-amd64/Packages.xz
 ${'b'.repeat(64)} 45000 main/binary-amd64/Packages
`;

async function keyPair(name: string): Promise<{ privateKey: PrivateKey; publicKey: Key }> {
  const { privateKey, publicKey } = await generateKey({ type: 'ecc', userIDs: [{ name }], format: 'armored' });
  return { privateKey: await readPrivateKey({ armoredKey: privateKey }), publicKey: await readKey({ armoredKey: publicKey }) };
}

let archive: { privateKey: PrivateKey; publicKey: Key };
let stranger: { privateKey: PrivateKey; publicKey: Key };
let signed: string;

beforeAll(async () => {
  archive = await keyPair('test archive');
  stranger = await keyPair('stranger');
  signed = await sign({ message: await createCleartextMessage({ text: RELEASE }), signingKeys: archive.privateKey });
});

describe('verifyInRelease', () => {
  it('gives the signed text when a keyring key signed it', async () => {
    expect(await verifyInRelease(signed, [archive.publicKey], 'InRelease')).toBe(RELEASE);
  });

  it('accepts extra signatures by keys it does not know, as Debian signs with old and new keys at once', async () => {
    const both = await sign({ message: await createCleartextMessage({ text: RELEASE }), signingKeys: [stranger.privateKey, archive.privateKey] });
    await expect(verifyInRelease(both, [archive.publicKey], 'InRelease')).resolves.toContain('Codename: bookworm');
  });

  it('refuses a copy with one byte changed', async () => {
    const tampered = signed.replace('Date: Sat, 11 Jul', 'Date: Sat, 12 Jul');
    expect(tampered).not.toBe(signed);
    await expect(verifyInRelease(tampered, [archive.publicKey], 'http://m/InRelease')).rejects.toThrow(
      new RegExp(`^http://m/InRelease has a bad signature by Debian archive key ${archive.publicKey.getKeyID().toHex()} \\(.+\\): the file was altered on the way`),
    );
  });

  it('refuses a file signed by a key the keyring does not hold, and one not signed at all', async () => {
    await expect(verifyInRelease(signed, [stranger.publicKey], 'http://m/InRelease')).rejects.toThrow(
      `http://m/InRelease is signed by no key of the Debian archive keyring (signed by: ${archive.publicKey.getKeyID().toHex()})`,
    );
    await expect(verifyInRelease(RELEASE, [archive.publicKey], 'http://m/InRelease')).rejects.toThrow(/^http:\/\/m\/InRelease is not a cleartext-signed InRelease/);
  });
});

describe('parseRelease', () => {
  it('reads the date, by-hash, and the SHA256 list (not the MD5 one)', () => {
    const release = parseRelease(RELEASE, 'InRelease');
    expect(release).toMatchObject({ suite: 'bookworm', date: 'Sat, 11 Jul 2026 10:16:37 UTC', acquireByHash: true });
    expect([...release.files]).toEqual([
      ['main/binary-amd64/Packages.xz', { sha256: 'a'.repeat(64), size: 9001 }],
      ['main/binary-amd64/Packages', { sha256: 'b'.repeat(64), size: 45000 }],
    ]);
  });

  it('refuses a Release of another suite, and one past its Valid-Until', () => {
    const release = parseRelease(RELEASE.replace('Acquire-By-Hash', 'Valid-Until: Sat, 18 Jul 2026 10:16:37 UTC\nAcquire-By-Hash'), 'InRelease');
    expect(() => checkRelease(release, 'bookworm', 'InRelease', new Date('2026-07-12T00:00:00Z'))).not.toThrow();
    expect(() => checkRelease(release, 'bookworm-security', 'http://m/InRelease', new Date('2026-07-12T00:00:00Z'))).toThrow(
      'http://m/InRelease is the Release of bookworm, not bookworm-security: the mirror serves the wrong suite; check its URL',
    );
    expect(() => checkRelease(release, 'bookworm', 'http://m/InRelease', new Date('2026-07-19T00:00:00Z'))).toThrow(
      'http://m/InRelease expired on Sat, 18 Jul 2026 10:16:37 UTC (Valid-Until): the mirror serves a stale copy; try again later or use another mirror',
    );
  });

  it('refuses a text that is not a Release', () => {
    expect(() => parseRelease('hello', 'http://m/InRelease')).toThrow('http://m/InRelease has no Date or no SHA256 list: it is not a Debian Release file; check the mirror');
  });
});

describe('the shipped Debian archive keyring', () => {
  it("holds bookworm's archive, security and stable release keys", async () => {
    const keys = await readKeyring(join(__dirname, '..', '..', 'keys'));
    expect(keys.map((k) => k.getFingerprint().toUpperCase()).sort()).toEqual(
      ['05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0', '4D64FEC119C2029067D6E791F8D2585B8783D481', 'B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8'].sort(),
    );
  });

  it('names a folder without keys and how to restore it', async () => {
    await expect(readKeyring('/nonexistent/keys')).rejects.toThrow('the Debian archive keyring /nonexistent/keys cannot be read: it is part of the repository (libs/basebox/keys), restore it with git');
  });
});
