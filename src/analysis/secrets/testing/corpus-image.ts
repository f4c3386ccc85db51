/**
 * Corpus images for the acceptance tests, through the real image source (OCI layout), the real
 * streaming layer reader and the real VirtualFs; nothing is extracted to disk.
 */
import { readLayer, type LayerEntry } from '../../../image/layers/index.js';
import { VirtualFs } from '../../../image/layers/vfs.js';
import { layerCompression } from '../../../image/mediatypes.js';
import { openOciLayout, type ImageSource } from '../../../image/sources/index.js';
import { CORPUS_IMAGES } from '../../../testing/corpus.js';

export async function loadCorpusImage(tag: string): Promise<ImageSource> {
  return openOciLayout(CORPUS_IMAGES, tag);
}

/** Visits every entry of every layer in order (the entry's `read` is valid inside the callback). */
export async function forEachLayerEntry(
  image: ImageSource,
  visit: (entry: LayerEntry, layerIndex: number, layerDigest: string) => Promise<void> | void,
): Promise<void> {
  for (const [i, layer] of image.layers.entries()) {
    const stream = await image.openBlob(layer.digest);
    for await (const entry of readLayer(stream, { compression: layerCompression(layer.mediaType) ?? 'auto' })) {
      await visit(entry, i, layer.digest);
    }
  }
}

/** The final filesystem view (metadata) of an image. */
export async function assembleCorpusImage(image: ImageSource): Promise<VirtualFs> {
  const vfs = new VirtualFs();
  await forEachLayerEntry(image, (e, i) => vfs.apply(e, i));
  return vfs;
}
