import type { GoBuildInfo } from '../../gobuild/src/go-buildinfo';

/** A Debian package an image holds files of: the exact .deb, as the lock pinned it. */
export interface DebianPackage {
  name: string;
  version: string;
  /** The .deb's architecture: amd64, arm64, or all. */
  architecture: string;
  /** Of the .deb file. */
  sha256: string;
  /** DEP-5 short names from its copyright file; empty when the file is not machine-readable. */
  licenses: string[];
}

/** A Go binary in an image and what it was built from. */
export interface GoBinary {
  /** Where it is in the image, e.g. /usr/bin/consul-template. */
  file: string;
  /** The version to name a main module built as `(devel)` by (go-build's stamp); a released module keeps its own. */
  version?: string;
  buildInfo: GoBuildInfo;
}

/** What an image holds that an SBOM names. */
export interface ImageContents {
  debian: DebianPackage[];
  go: GoBinary[];
}

/** The image an SBOM describes: one manifest, so one platform. */
export interface SbomSubject {
  /** The repository, e.g. greeter or microbox/basebox. */
  repository: string;
  tags: string[];
  manifestDigest: string;
  platform: { os: string; architecture: string; variant?: string };
  /** The image's own creation time (its config's), so the same image gives the same SBOM. */
  created: string;
}
