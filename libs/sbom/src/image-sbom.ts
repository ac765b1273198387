import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addArtifactToLayout, layoutReferrers } from '../../image/src/artifact';
import { digestHex } from '../../image/src/descriptor';
import { type BuildRecord, platformImages } from '../../image/src/record';
import { binaryPath } from '../../service-image/src/s6-services';
import type { GoBinary, ImageContents, SbomSubject } from './contents';
import { makeSbom, SBOM_MEDIA_TYPE } from './cyclonedx';
import { lockedDebianPackages } from './debian-packages';
import { readGoBuildInfoOfFile } from '../../gobuild/src/go-buildinfo';
import { contentsOfSbom } from './inherit';

/** Where the base puts consul-template, and the name of the base's layer holding it. */
const CONSUL_TEMPLATE_FILE = '/usr/bin/consul-template';
const CONSUL_TEMPLATE_PART = 'consul-template';

export interface SbomWritten {
  /** The SBOM file beside the record. */
  file: string;
  /** Components in it (the image itself not counted). */
  components: number;
  /** From reading the inputs to the SBOM in the layout. */
  seconds: number;
}

/**
 * `dist/images/greeter.json` → `dist/images/greeter.cdx.json`; another
 * platform's SBOM of a multi-platform image is named after the platform:
 * `dist/images/basebox.linux-arm64-v8.cdx.json`.
 */
export function sbomFileOf(recordFile: string, platform?: string): string {
  return recordFile.replace(/(\.json)?$/, platform ? `.${platform.replaceAll('/', '-')}.cdx.json` : '.cdx.json');
}

type Recorded = Pick<BuildRecord, 'manifest' | 'id' | 'tags' | 'parts'>;

/** The image's own creation time, from its config in the layout. */
async function createdOf(layoutDir: string, image: Recorded): Promise<string> {
  const config = JSON.parse(await readFile(join(layoutDir, 'blobs', 'sha256', digestHex(image.id)), 'utf8')) as { created?: string };
  return config.created ?? '1970-01-01T00:00:00Z';
}

async function subjectOf(layoutDir: string, image: Recorded): Promise<SbomSubject> {
  const first = image.tags[0] ?? image.manifest.digest;
  const at = first.lastIndexOf(':');
  return {
    repository: at > first.lastIndexOf('/') ? first.slice(0, at) : first,
    tags: image.tags,
    manifestDigest: image.manifest.digest,
    platform: image.manifest.platform ?? { os: 'linux', architecture: 'amd64' },
    created: await createdOf(layoutDir, image),
  };
}

/**
 * One image's SBOM, stored in its layout as an artifact referring to it;
 * returned for the file beside the record. Not validated here: compiling
 * the schema costs 1 to 2 s a build, and the writer's output is held to the
 * schema by the tests.
 */
async function attachSbom(layoutDir: string, image: Recorded, contents: ImageContents): Promise<string> {
  const subject = await subjectOf(layoutDir, image);
  const sbom = makeSbom(subject, contents);
  await addArtifactToLayout(layoutDir, image.manifest, {
    artifactType: SBOM_MEDIA_TYPE,
    mediaType: SBOM_MEDIA_TYPE,
    data: sbom,
    annotations: { 'org.opencontainers.image.created': subject.created },
  });
  return sbom;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await writeFile(partial, text);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw new Error(`cannot write the SBOM ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): free some disk space or make the folder writable`);
  }
}

const componentCount = (sbom: string) => ((JSON.parse(sbom) as { components?: unknown[] }).components ?? []).length;

/**
 * The SBOMs of the base and of each of its variants, one per image manifest,
 * so one per platform: every package the lock pins for the image's
 * architecture and, where the image has that layer, the modules of that
 * architecture's consul-template, read from the binary. The main image's
 * SBOM of each platform is also written beside the record file: its first
 * platform's (amd64) as `sbomFileOf(recordFile)`, another's as
 * `sbomFileOf(recordFile, platform)`. `consulTemplate` names the binary of
 * each architecture.
 */
export async function writeBaseboxSboms(o: { record: BuildRecord; layoutDir: string; recordFile: string; lockFile: string; consulTemplate: Record<string, string>; env?: NodeJS.ProcessEnv }): Promise<SbomWritten & { files: string[] }> {
  const started = performance.now();
  const debianByArch = new Map<string, Awaited<ReturnType<typeof lockedDebianPackages>>>();
  const goByArch = new Map<string, GoBinary>();
  const written: { file: string; sbom: string }[] = [];
  for (const [v, variant] of [o.record, ...Object.values(o.record.variants ?? {})].entries()) {
    for (const [p, { platform, image }] of platformImages(variant).entries()) {
      const architecture = image.manifest.platform?.architecture ?? 'amd64';
      if (!debianByArch.has(architecture)) debianByArch.set(architecture, await lockedDebianPackages({ lockFile: o.lockFile, architecture, env: o.env }));
      const go: GoBinary[] = [];
      if (image.parts.some((part) => part.name === CONSUL_TEMPLATE_PART)) {
        const binary = o.consulTemplate[architecture];
        if (!binary) throw new Error(`no consul-template binary was given for ${architecture}, whose image ${image.manifest.digest} holds one: pass consulTemplate.${architecture}`);
        if (!goByArch.has(architecture)) goByArch.set(architecture, { file: CONSUL_TEMPLATE_FILE, buildInfo: await readGoBuildInfoOfFile(binary) });
        go.push(goByArch.get(architecture)!);
      }
      const sbom = await attachSbom(o.layoutDir, { ...image, tags: variant.tags }, { debian: debianByArch.get(architecture)!, go });
      if (v === 0) written.push({ file: sbomFileOf(o.recordFile, p === 0 ? undefined : platform), sbom });
    }
  }
  for (const { file, sbom } of written) await writeAtomically(file, sbom);
  return { file: written[0]!.file, files: written.map((w) => w.file), components: componentCount(written[0]!.sbom), seconds: (performance.now() - started) / 1000 };
}

/**
 * A service's SBOM: its base's components (read back from the SBOM the
 * base's layout holds for the exact base image it was built on) and its
 * binary's modules and Go version, read from the binary.
 */
export async function writeServiceSbom(o: { record: BuildRecord; layoutDir: string; file: string; name: string; binary: string; version?: string; baseLayoutDir: string }): Promise<SbomWritten> {
  const started = performance.now();
  const baseDigest = o.record.meta.baseDigest;
  if (!baseDigest) throw new Error(`the record of ${o.name} names no base image (meta.baseDigest): build it again`);
  const found = (await layoutReferrers(o.baseLayoutDir, baseDigest)).find((r) => r.descriptor.artifactType === SBOM_MEDIA_TYPE);
  if (!found) throw new Error(`the base layout ${o.baseLayoutDir} holds no SBOM of ${baseDigest}: build the base again (nx run basebox:layout --skip-nx-cache)`);
  const baseSbom = await readFile(join(o.baseLayoutDir, 'blobs', 'sha256', digestHex(found.manifest.layers[0]!.digest)), 'utf8');
  const base = contentsOfSbom(baseSbom, `the SBOM of the base ${baseDigest}`);
  const own: GoBinary = { file: binaryPath({ name: o.name }), version: o.version, buildInfo: await readGoBuildInfoOfFile(o.binary) };
  const sbom = await attachSbom(o.layoutDir, o.record, { debian: base.debian, go: [...base.go, own] });
  await writeAtomically(o.file, sbom);
  return { file: o.file, components: componentCount(sbom), seconds: (performance.now() - started) / 1000 };
}
