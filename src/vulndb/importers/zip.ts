import { ZipError, ZipFile, type ZipEntry } from '../../util/zip.js';

/** osv.dev's per-ecosystem archives, read entry by entry with a cap on each entry's size. */
export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export { ZipError, type ZipEntry };

export class ZipReader extends ZipFile {
  constructor(path: string, maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES) {
    super(path, maxEntryBytes);
  }
}
