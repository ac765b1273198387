import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, type Descriptor } from '../descriptor';
import { readLayout, type Layout } from '../layout';
import { REF_NAME_ANNOTATION } from '../media-types';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A manifest or index as a push reads it: only the fields that lead to blobs and child manifests. */
export interface ManifestJson {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/**
 * What a push reads of an OCI image layout (readLayout's), plus blobs the
 * layout leaves out, found in blob stores, and errors that name the blob,
 * the folder and the fix.
 */
export class LayoutReader {
  private constructor(
    readonly dir: string,
    private readonly layout: Layout,
    private readonly blobStores: readonly string[],
  ) {}

  /**
   * `blobStores`: folders laid out like a layout's blobs/ (`sha256/<hex>`),
   * where blobs the layout leaves out are read (a layout may keep only its
   * own layers and leave a base's in the shared blob store).
   */
  static async open(dir: string, blobStores: readonly string[] = []): Promise<LayoutReader> {
    const layout = await readLayout(dir);
    for (const m of layout.index.manifests) checkDescriptor(m, join(dir, 'index.json'));
    return new LayoutReader(dir, layout, blobStores);
  }

  /** The ref.names (tags) index.json lists. */
  refNames(): string[] {
    return this.layout.index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((n): n is string => typeof n === 'string');
  }

  /** The descriptor index.json names `refName`; an error listing the names there when it has none. */
  find(refName: string): Descriptor {
    const found = this.layout.find(refName);
    if (!found) {
      const names = this.refNames();
      throw new Error(
        `${join(this.dir, 'index.json')} has no image named "${refName}" (${REF_NAME_ANNOTATION}): it has ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'none'}; build the image with that tag`,
      );
    }
    return found;
  }

  /** The blob's file: in the layout, else in the first blob store that has it, else where the layout would hold it. */
  blobPath(digest: string): string {
    const own = this.layout.blobPath(digest);
    if (existsSync(own)) return own;
    return this.blobStores.map((store) => join(store, 'sha256', digestHex(digest))).find((path) => existsSync(path)) ?? own;
  }

  /** Checks a blob is there at its descriptor's size, naming it when not. */
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
  async readManifest(d: Descriptor, usedBy: string): Promise<{ bytes: Buffer; json: ManifestJson }> {
    await this.checkBlob(d, usedBy);
    const bytes = await readFile(this.blobPath(d.digest));
    try {
      return { bytes, json: JSON.parse(bytes.toString('utf8')) as ManifestJson };
    } catch {
      throw new Error(`blob ${this.blobPath(d.digest)} (${d.mediaType}) is not valid JSON: the layout is damaged; build the image again`);
    }
  }
}

/** A descriptor as the layout must hold it: a sha256 digest (also a safe file name), a size and a media type. */
export function checkDescriptor(d: Descriptor, where: string): void {
  if (!d || typeof d.digest !== 'string' || !DIGEST.test(d.digest) || typeof d.size !== 'number' || typeof d.mediaType !== 'string') {
    throw new Error(`${where} holds a descriptor without a sha256 digest, size and mediaType (${JSON.stringify(d?.digest ?? d)}): build the image again`);
  }
}
