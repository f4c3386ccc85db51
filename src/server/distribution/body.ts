import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../../registry/errors.js';

/** Reads a request body into memory, refusing more than `limit` bytes (413) without reading it all. */
export async function readBodyLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(declared, limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limit) {
      req.resume();
      throw tooLarge(total, limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(size: number, limit: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest is larger than the ${limit}-byte limit (${size} bytes sent)`, undefined, { status: 413 });
}
