import { binaryPath } from './s6-services';
import type { ServiceSpec } from './service-spec';

/** Where an image came from: OCI annotation keys, plus the base image's id. */
export interface ImageOrigin {
  revision: string;
  /** The commit's time, never the build's, so the same sources give the same labels. */
  created: string;
  /** The repository, when it has a remote to name. */
  source?: string;
  baseImage: string;
  baseId: string;
}

const quote = (value: string) => JSON.stringify(value);

/**
 * The service image's Dockerfile. The scripts and templates change less often
 * than the binary, so they are the lower layer; ENV and LABEL add no layers.
 */
export function serviceDockerfile(spec: ServiceSpec, origin: ImageOrigin): string {
  const env = { PORT: String(spec.port), ...spec.env };
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': spec.name,
    'org.opencontainers.image.revision': origin.revision,
    'org.opencontainers.image.created': origin.created,
    ...(origin.source ? { 'org.opencontainers.image.source': origin.source } : {}),
    'org.opencontainers.image.base.name': origin.baseImage,
    'dev.microbox.base.id': origin.baseId,
  };
  return [
    // FROM the id, not the tag: another build moving the tag mid-build must not change the base this image's record names.
    `FROM ${origin.baseId}`,
    'COPY rootfs/ /',
    `COPY bin/${spec.name} ${binaryPath(spec)}`,
    `ENV ${Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`,
    `EXPOSE ${spec.port}`,
    `LABEL ${Object.entries(labels).map(([k, v]) => `${k}=${quote(v)}`).join(' \\\n      ')}`,
    '',
  ].join('\n');
}
