import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { type ArtifactDescriptor, type ArtifactManifest, layoutReferrers } from '../artifact';
import { digestHex, type Descriptor } from '../descriptor';
import type { LayoutReader } from './layout-reader';
import type { RegistryClient } from './registry-client';

/** The suffix of the tag an artifact of this type gets where the registry has no referrers API. */
const TAG_SUFFIX: Record<string, string> = {
  'application/vnd.cyclonedx+json': 'sbom',
  'application/spdx+json': 'sbom',
};

/** `sha256-<hex>.sbom`: the tag scheme (cosign's) that stands for the referrers API on registries without one. */
export function referrerTag(subjectDigest: string, artifactType: string): string {
  return `sha256-${digestHex(subjectDigest)}.${TAG_SUFFIX[artifactType] ?? 'att'}`;
}

export interface ReferrerPlan {
  subject: string;
  descriptor: ArtifactDescriptor;
  manifest: ArtifactManifest;
  bytes: Buffer;
}

export interface PushedReferrer {
  subject: string;
  artifactType: string;
  digest: string;
  /** `referrers API`, or the tag it was put under. */
  via: string;
}

/** The artifacts the layout holds about these manifests, their blobs checked, before any request. */
export async function planReferrers(layout: LayoutReader, subjects: readonly string[]): Promise<ReferrerPlan[]> {
  const plans: ReferrerPlan[] = [];
  for (const subject of new Set(subjects)) {
    for (const { descriptor, manifest } of await layoutReferrers(layout.dir, subject)) {
      const { bytes } = await layout.readManifest(descriptor, `the ${descriptor.artifactType} artifact of ${subject}`);
      for (const blob of [manifest.config, ...manifest.layers]) await layout.checkBlob(blob, `the ${descriptor.artifactType} artifact of ${subject}`);
      plans.push({ subject, descriptor, manifest, bytes });
    }
  }
  return plans;
}

/**
 * Pushes each artifact after the image it refers to: its blobs (only those
 * the registry lacks), then its manifest, by digest where the registry
 * serves the referrers API (it then lists it under the subject), else under
 * the tag `sha256-<subject hex>.<kind>` that clients look for instead.
 */
export async function pushReferrers(client: RegistryClient, layout: LayoutReader, name: string, plans: readonly ReferrerPlan[], log: (line: string) => void): Promise<PushedReferrer[]> {
  const pushed: PushedReferrer[] = [];
  const api = new Map<string, boolean>();
  for (const plan of plans) {
    for (const blob of [plan.manifest.config, ...plan.manifest.layers]) await pushBlobOnce(client, layout, name, blob);
    if (!api.has(plan.subject)) api.set(plan.subject, await client.hasReferrersApi(name, plan.subject));
    const reference = api.get(plan.subject) ? plan.descriptor.digest : referrerTag(plan.subject, plan.descriptor.artifactType);
    const digest = await client.putManifest(name, reference, plan.bytes, plan.descriptor.mediaType);
    const via = reference === digest ? 'referrers API' : `tag ${reference}`;
    log(`${plan.descriptor.artifactType} of ${plan.subject.slice(0, 19)}: ${digest.slice(0, 19)} (${via})`);
    pushed.push({ subject: plan.subject, artifactType: plan.descriptor.artifactType, digest, via });
  }
  return pushed;
}

async function pushBlobOnce(client: RegistryClient, layout: LayoutReader, name: string, blob: Descriptor): Promise<void> {
  if (await client.blobExists(name, blob.digest)) return;
  const path = layout.blobPath(blob.digest);
  await client.uploadBlob(name, blob.digest, blob.size, () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>);
}
