import { bufferSource, readCentralDirectory, readEntry, type ZipEntry } from '../../../util/zip.js';

/** Java archives are read from memory (they arrive as file contents of a layer). */
export type { ZipEntry };

const MAX_ENTRIES = 200_000;

export function zipEntries(buf: Buffer): ZipEntry[] {
  return readCentralDirectory(bufferSource(buf), MAX_ENTRIES);
}

/** Entry content, inflated; refuses entries larger than maxSize (zip bombs). */
export function zipRead(buf: Buffer, e: ZipEntry, maxSize: number): Buffer {
  return readEntry(bufferSource(buf), e, maxSize);
}
