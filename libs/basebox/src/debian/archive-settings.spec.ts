import { describe, expect, it } from 'vitest';
import { aptSourceUrls, archiveSettings, sourceFor } from './archive-settings';

const DEB822 = `Types: deb
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
`;

describe('aptSourceUrls', () => {
  it('reads deb822 URIs and one-line sources', () => {
    expect(aptSourceUrls(DEB822)).toEqual(['http://mirror.example/debian', 'http://mirror.example/debian-security']);
    expect(aptSourceUrls('deb [arch=amd64] http://a.example/debian bookworm main\n# deb http://b.example/debian x\n')).toEqual(['http://a.example/debian']);
  });
});

describe('archiveSettings', () => {
  it('takes the mirrors the apt sources name, else deb.debian.org: bookworm and bookworm-security, main, amd64 and arm64', () => {
    expect(archiveSettings({}, aptSourceUrls(DEB822))).toEqual({
      sources: [
        { suite: 'bookworm', url: 'http://mirror.example/debian' },
        { suite: 'bookworm-security', url: 'http://mirror.example/debian-security' },
      ],
      component: 'main',
      architectures: ['amd64', 'arm64'],
    });
    expect(archiveSettings({}, []).sources.map((s) => s.url)).toEqual(['http://deb.debian.org/debian', 'http://deb.debian.org/debian-security']);
  });

  it('lets MICROBOX_DEBIAN_MIRROR and MICROBOX_DEBIAN_SECURITY_MIRROR override, and refuses what is not a URL', () => {
    const env = { MICROBOX_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian/', MICROBOX_DEBIAN_SECURITY_MIRROR: 'https://s.example/ds' };
    expect(archiveSettings(env, aptSourceUrls(DEB822)).sources.map((s) => s.url)).toEqual(['http://127.0.0.1:9/debian', 'https://s.example/ds']);
    expect(() => archiveSettings({ MICROBOX_DEBIAN_MIRROR: 'deb.debian.org' }, [])).toThrow(
      'MICROBOX_DEBIAN_MIRROR="deb.debian.org" is not an http(s) URL: set it to a Debian mirror such as http://deb.debian.org/debian',
    );
  });

  it('names a suite the settings do not know', () => {
    expect(() => sourceFor(archiveSettings({}, []), 'sid', 'x.json: packages.s6.amd64')).toThrow(
      'x.json: packages.s6.amd64 comes from suite sid, which the archive settings do not name (bookworm, bookworm-security): run `nx run basebox:lock`',
    );
  });
});
