import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** An OCI content descriptor, as index.json and manifests hold them. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The annotation that names a manifest in an image layout's index.json (its tag). */
export const REF_NAME = 'org.opencontainers.image.ref.name';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * An OCI image layout folder, read only: `oci-layout`, `index.json` and
 * `blobs/sha256/<hex>`. Errors name the folder, the file and the fix.
 */
export class LayoutReader {
  private constructor(
    readonly dir: string,
    readonly manifests: readonly Descriptor[],
    private readonly blobStores: readonly string[],
  ) {}

  /**
   * `blobStores`: folders laid out like a layout's blobs/ (`sha256/<hex>`),
   * where blobs the layout leaves out are read (a layout may keep only its
   * own layers and leave a base's in the shared blob store).
   */
  static async open(dir: string, blobStores: readonly string[] = []): Promise<LayoutReader> {
    const marker = await readFile(join(dir, 'oci-layout'), 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${dir} is not an OCI image layout (${err.code} reading oci-layout): build the image first`);
    });
    let version: unknown;
    try {
      version = (JSON.parse(marker) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (version !== '1.0.0') throw new Error(`${join(dir, 'oci-layout')} does not say imageLayoutVersion 1.0.0: build the image again`);
    const indexPath = join(dir, 'index.json');
    const text = await readFile(indexPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${indexPath} cannot be read (${err.code}): build the image again`);
    });
    let index: { manifests?: unknown };
    try {
      index = JSON.parse(text) as typeof index;
    } catch {
      throw new Error(`${indexPath} is not valid JSON: build the image again`);
    }
    if (!Array.isArray(index.manifests)) throw new Error(`${indexPath} has no manifests list: build the image again`);
    const manifests = index.manifests as Descriptor[];
    for (const m of manifests) checkDescriptor(m, indexPath);
    return new LayoutReader(dir, manifests, blobStores);
  }

  /** The ref.names (tags) index.json lists. */
  refNames(): string[] {
    return this.manifests.map((m) => m.annotations?.[REF_NAME]).filter((n): n is string => typeof n === 'string');
  }

  /** The descriptor index.json names `refName`; an error listing the names there when it has none. */
  find(refName: string): Descriptor {
    const found = this.manifests.find((m) => m.annotations?.[REF_NAME] === refName);
    if (!found) {
      const names = this.refNames();
      throw new Error(`${join(this.dir, 'index.json')} has no image named "${refName}" (org.opencontainers.image.ref.name): it has ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'none'}; build the image with that tag`);
    }
    return found;
  }

  /** The blob's file: in the layout, else in the first blob store that has it, else where the layout would hold it. */
  blobPath(digest: string): string {
    const [algorithm, hex] = digest.split(':');
    const own = join(this.dir, 'blobs', algorithm!, hex!);
    if (existsSync(own)) return own;
    return this.blobStores.map((store) => join(store, algorithm!, hex!)).find((path) => existsSync(path)) ?? own;
  }

  /** Checks a blob is in the layout at its descriptor's size, naming it when not. */
  async checkBlob(d: Descriptor, usedBy: string): Promise<void> {
    const path = this.blobPath(d.digest);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      const also = this.blobStores.length ? ` nor in ${this.blobStores.join(', ')}` : '';
      throw new Error(`blob ${d.digest} (${d.mediaType}, of ${usedBy}) is missing from the layout: no ${path}${also}; build the image again`);
    }
    if (info.size !== d.size) throw new Error(`blob ${path} is ${info.size} bytes, but ${usedBy} says ${d.size}: the layout is damaged; build the image again`);
  }

  /** A manifest or index blob's bytes, as pushed, and its JSON. */
  async readManifest(d: Descriptor, usedBy: string): Promise<{ bytes: Buffer; json: { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } }> {
    await this.checkBlob(d, usedBy);
    const bytes = await readFile(this.blobPath(d.digest));
    try {
      return { bytes, json: JSON.parse(bytes.toString('utf8')) };
    } catch {
      throw new Error(`blob ${this.blobPath(d.digest)} (${d.mediaType}) is not valid JSON: the layout is damaged; build the image again`);
    }
  }
}

/** A descriptor as the layout must hold it: a sha256 digest (also a safe file name) and a size. */
export function checkDescriptor(d: Descriptor, where: string): void {
  if (!d || typeof d.digest !== 'string' || !DIGEST.test(d.digest) || typeof d.size !== 'number' || typeof d.mediaType !== 'string') {
    throw new Error(`${where} holds a descriptor without a sha256 digest, size and mediaType (${JSON.stringify(d?.digest ?? d)}): build the image again`);
  }
}
