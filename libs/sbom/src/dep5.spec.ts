import * as CDX from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { dep5Licenses, spdxIdOf } from './dep5';

const MACHINE_READABLE = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: skalibs
Source: https://skarnet.org/software/skalibs/

Files: *
Copyright: 2011-2023 Laurent Bercot
License: ISC

Files: debian/*
Copyright: 2015 Someone
License: Expat
 Permission is hereby granted, free of charge, to any person
 .
 obtaining a copy

Files: doc/*
Copyright: 2011 Laurent Bercot
License: GPL-2+ or Artistic

License: ISC
 Permission to use, copy, modify, and distribute this software

License: skalibs-doc-license
 Text of a license no Files paragraph uses.
`;

describe('dep5Licenses', () => {
  it('names the License of each Files paragraph once, in order, and not the texts of stand-alone License paragraphs', () => {
    expect(dep5Licenses(MACHINE_READABLE)).toEqual(['ISC', 'Expat', 'GPL-2+ or Artistic']);
  });

  it('takes a License in the header paragraph too', () => {
    expect(dep5Licenses('Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: MPL-2.0\n\nFiles: *\nLicense: MPL-2.0\n')).toEqual(['MPL-2.0']);
  });

  it('names none for a free-form copyright file (busybox, libc6): no guessing from prose', () => {
    expect(dep5Licenses('This package was debianized by Erik Andersen\n\nLicense:\n\n  GPL version 2\n')).toBeUndefined();
  });
});

describe('spdxIdOf', () => {
  const isSpdx = CDX.SPDX.isSupportedSpdxId;
  it('maps DEP-5 short names to SPDX identifiers', () => {
    expect(spdxIdOf('GPL-2+', isSpdx)).toBe('GPL-2.0-or-later');
    expect(spdxIdOf('GPL-2', isSpdx)).toBe('GPL-2.0-only');
    expect(spdxIdOf('LGPL-2.1+', isSpdx)).toBe('LGPL-2.1-or-later');
    expect(spdxIdOf('Expat', isSpdx)).toBe('MIT');
    expect(spdxIdOf('BSD-3-clause', isSpdx)).toBe('BSD-3-Clause');
    expect(spdxIdOf('ISC', isSpdx)).toBe('ISC');
    expect(spdxIdOf('MPL-2.0', isSpdx)).toBe('MPL-2.0');
  });

  it('keeps expressions, public-domain and a package’s own names as names', () => {
    expect(spdxIdOf('GPL-2+ or Artistic', isSpdx)).toBeUndefined();
    expect(spdxIdOf('public-domain', isSpdx)).toBeUndefined();
    expect(spdxIdOf('skalibs-doc-license', isSpdx)).toBeUndefined();
  });
});
