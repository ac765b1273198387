import type { Image } from './image';

export interface ImageSizes {
  /** The layer blobs as stored and pushed: the sum of their descriptor sizes. */
  compressed: number;
  /** The layers' tars: about what the daemon reports as the image's size. */
  uncompressed: number;
  layers: { digest: string; compressed: number; uncompressed: number }[];
}

/** An image's sizes from its layer records (the blobs), with no daemon. */
export function imageSizes(image: Image): ImageSizes {
  const layers = image.layers.map((l) => ({ digest: l.descriptor.digest, compressed: l.descriptor.size, uncompressed: l.uncompressedSize }));
  return {
    compressed: layers.reduce((sum, l) => sum + l.compressed, 0),
    uncompressed: layers.reduce((sum, l) => sum + l.uncompressed, 0),
    layers,
  };
}
