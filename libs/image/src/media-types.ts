/** The OCI media types microbox writes (image-spec v1.1). */
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The annotation an OCI layout's index.json uses to name (tag) a manifest. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
