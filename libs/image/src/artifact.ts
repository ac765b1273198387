import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json';
import { type Descriptor, digestHex, sha256Digest } from './descriptor';
import type { OciIndex } from './image';
import { readLayout } from './layout';
import { MEDIA_TYPES } from './media-types';

/** OCI 1.1's empty descriptor: the config of an artifact that has none. */
export const EMPTY_DESCRIPTOR: Descriptor = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 };

/** An OCI 1.1 artifact manifest: one blob, no config, referring to an image through `subject`. */
export interface ArtifactManifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPES.manifest;
  artifactType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject: Descriptor;
  annotations?: Record<string, string>;
}

/** A descriptor in index.json as OCI 1.1 writes an artifact's: its artifactType beside the usual fields. */
export type ArtifactDescriptor = Descriptor & { artifactType: string };

/** The manifest of a blob as an artifact of `artifactType` about `subject` (only its media type, digest and size are kept). */
export function artifactManifest(subject: Descriptor, artifactType: string, blob: Descriptor, annotations?: Record<string, string>): ArtifactManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [blob],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
}

async function writeBlob(dir: string, data: Buffer | string): Promise<{ digest: string; size: number }> {
  const digest = sha256Digest(data);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'blobs', 'sha256', digestHex(digest)), data);
  return { digest, size: Buffer.byteLength(data) };
}

/**
 * Adds an artifact referring to an image already in an OCI layout: its blob,
 * the empty config and its manifest go into the layout's blobs, and the
 * manifest into index.json without a ref.name (an artifact is found by its
 * subject, not by a tag). An artifact of the same type for the same subject
 * is replaced, so writing it twice leaves one. index.json is replaced
 * atomically.
 */
export async function addArtifactToLayout(
  dir: string,
  subject: Descriptor,
  artifact: { artifactType: string; mediaType: string; data: Buffer | string; annotations?: Record<string, string> },
): Promise<ArtifactDescriptor> {
  const layout = await readLayout(dir);
  const blob: Descriptor = { mediaType: artifact.mediaType, ...(await writeBlob(dir, artifact.data)) };
  await writeBlob(dir, '{}');
  const manifest = canonicalJson(artifactManifest(subject, artifact.artifactType, blob, artifact.annotations));
  const written = await writeBlob(dir, manifest);
  const descriptor: ArtifactDescriptor = { mediaType: MEDIA_TYPES.manifest, digest: written.digest, size: written.size, artifactType: artifact.artifactType };
  const others: Descriptor[] = [];
  for (const entry of layout.index.manifests) {
    const same = (entry as Partial<ArtifactDescriptor>).artifactType === artifact.artifactType && (await subjectOf(dir, entry)) === subject.digest;
    if (!same) others.push(entry);
  }
  const index: OciIndex = { ...layout.index, manifests: [...others, descriptor] };
  const partial = join(dir, `.index.json.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(partial, canonicalJson(index));
    await rename(partial, join(dir, 'index.json'));
  } catch (err) {
    await rm(partial, { force: true });
    throw new Error(`cannot write ${join(dir, 'index.json')} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): make the layout writable or free space there`);
  }
  return descriptor;
}

/** The digest a layout's manifest refers to (its `subject`), if any. */
async function subjectOf(dir: string, entry: Descriptor): Promise<string | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', digestHex(entry.digest)), 'utf8')) as { subject?: Descriptor };
    return json.subject?.digest;
  } catch {
    return undefined;
  }
}

/** The artifacts in a layout that refer to `subjectDigest`, with their manifests: what the referrers API would list. */
export async function layoutReferrers(dir: string, subjectDigest: string): Promise<{ descriptor: ArtifactDescriptor; manifest: ArtifactManifest }[]> {
  const layout = await readLayout(dir);
  const found: { descriptor: ArtifactDescriptor; manifest: ArtifactManifest }[] = [];
  for (const entry of layout.index.manifests) {
    const artifactType = (entry as Partial<ArtifactDescriptor>).artifactType;
    if (!artifactType || entry.mediaType !== MEDIA_TYPES.manifest) continue;
    const manifest = JSON.parse(await readFile(layout.blobPath(entry.digest), 'utf8')) as ArtifactManifest;
    if (manifest.subject?.digest === subjectDigest) found.push({ descriptor: { ...entry, artifactType }, manifest });
  }
  return found;
}
