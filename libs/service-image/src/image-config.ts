import type { ConfigInput } from '../../image/src/config';
import { type ServiceSpec, workDir } from './service-spec';

/** Where an image came from: OCI annotation keys, plus the base image's digest. */
export interface ImageOrigin {
  revision: string;
  /** The commit's time, never the build's, so the same sources give the same config. */
  created: string;
  /** The repository, when it has a remote to name. */
  source?: string;
  /** The base's name and manifest digest. */
  baseName: string;
  baseDigest: string;
}

/**
 * What the service adds to the base's config: its environment and ports as
 * given, and its working directory, where its files are. Every value goes into the
 * config as JSON data: an env key or label with a quote or a newline stays a
 * string and cannot become an instruction.
 */
export function serviceConfig(spec: ServiceSpec, origin: ImageOrigin): Omit<ConfigInput, 'platform'> {
  return {
    created: origin.created,
    // Only what the service asked for: a PORT set here would override its own default.
    env: spec.env,
    exposedPorts: spec.ports.map((p) => `${p}/tcp`),
    workingDir: workDir(spec.name),
    labels: {
      'org.opencontainers.image.title': spec.name,
      'org.opencontainers.image.revision': origin.revision,
      'org.opencontainers.image.created': origin.created,
      ...(origin.source ? { 'org.opencontainers.image.source': origin.source } : {}),
      'org.opencontainers.image.base.name': origin.baseName,
      'org.opencontainers.image.base.digest': origin.baseDigest,
    },
  };
}
