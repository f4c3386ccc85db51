import { constants } from 'node:fs';
import { lstat, open, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { digestOf } from '../digest.js';
import { MediaType } from '../mediatypes.js';
import { parseImageConfig } from '../config.js';
import { SourceError, type ImageSource, type OpenSourceOptions } from './types.js';

interface RootfsEntry {
  rel: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname?: string;
}

export interface RootfsOptions extends OpenSourceOptions {
  maxEntries?: number;
}

/**
 * `rootfs:DIR`: an unpacked root filesystem on the host, seen as one synthetic layer. The tree is
 * listed with lstat (symlinks are recorded, never followed) and files are opened with O_NOFOLLOW,
 * so nothing outside DIR is read. Digests are of the listing, not of stored bytes: `synthetic`.
 */
export async function openRootfs(dir: string, opts: RootfsOptions = {}): Promise<ImageSource> {
  const st = await lstat(dir).catch((err: unknown) => {
    throw new SourceError(`cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  });
  if (!st.isDirectory()) throw new SourceError(`${dir} is not a directory`);
  const entries = await listTree(dir, opts.maxEntries ?? 2_000_000);
  const listing = entries.map((e) => `${e.type} ${e.mode} ${e.uid}:${e.gid} ${e.size} ${e.mtime.getTime()} ${e.rel} ${e.linkname ?? ''}`);
  const layerDigest = digestOf(listing.join('\n'));
  const configBytes = Buffer.from(
    JSON.stringify({ rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {}, history: [{ created_by: `rootfs ${dir}` }] }),
  );
  const size = entries.reduce((n, e) => n + 512 + Math.ceil(e.size / 512) * 512, 1024);
  const layer = { digest: layerDigest, mediaType: MediaType.OciLayerTar, size };
  const configDigest = digestOf(configBytes);
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: configBytes.length },
    layers: [layer],
  };
  return {
    ref: `rootfs:${dir}`,
    manifestDigest: digestOf(JSON.stringify(manifest)),
    manifestMediaType: MediaType.OciManifest,
    manifest,
    configDigest,
    config: parseImageConfig(configBytes),
    layers: [layer],
    synthetic: true,
    openBlob: async (digest) => {
      if (digest === configDigest) return Readable.from([configBytes]);
      if (digest !== layerDigest) throw new SourceError(`blob ${digest} is not part of ${dir}`);
      return packTree(dir, entries);
    },
    close: async () => undefined,
  };
}

async function listTree(root: string, maxEntries: number): Promise<RootfsEntry[]> {
  const out: RootfsEntry[] = [];
  const seen = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const names: string[] = [];
    const handle = await opendir(join(root, rel));
    for await (const d of handle) names.push(d.name);
    names.sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = join(root, childRel);
      const st = await lstat(abs);
      if (out.length >= maxEntries) throw new SourceError(`${root} has more than ${maxEntries} entries`);
      const base = { rel: childRel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: st.mtime };
      if (st.isDirectory()) {
        out.push({ ...base, type: 'directory' });
        await walk(childRel);
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', linkname: await readlink(abs) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(key) : undefined;
        if (first !== undefined) out.push({ ...base, type: 'link', linkname: first });
        else {
          if (st.nlink > 1) seen.set(key, childRel);
          out.push({ ...base, type: 'file', size: st.size });
        }
      }
      // Devices, fifos and sockets carry no content an analyzer could use.
    }
  };
  await walk('');
  return out;
}

function packTree(root: string, entries: RootfsEntry[]): Readable {
  const pack = tar.pack();
  const run = async () => {
    for (const e of entries) {
      const header: tar.Header = {
        name: e.type === 'directory' ? `${e.rel}/` : e.rel,
        type: e.type,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        size: e.size,
        mtime: e.mtime,
        linkname: e.linkname ?? '',
        uname: '',
        gname: '',
        devmajor: 0,
        devminor: 0,
      };
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
        if (e.type !== 'file') return;
        void copyExactly(join(root, e.rel), e.size, sink).catch(reject);
      });
    }
    pack.finalize();
  };
  run().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack);
}

/** Streams exactly `size` bytes of a file (zero-padded if it shrank meanwhile) without following symlinks. */
async function copyExactly(path: string, size: number, sink: ReturnType<tar.Pack['entry']>): Promise<void> {
  let sent = 0;
  const write = async (chunk: Buffer) => {
    if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
  };
  if (size > 0) {
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      for await (const chunk of fh.createReadStream({ start: 0, end: size - 1, autoClose: false })) {
        sent += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
    } finally {
      await fh.close();
    }
  }
  while (sent < size) {
    const n = Math.min(64 * 1024, size - sent);
    sent += n;
    await write(Buffer.alloc(n));
  }
  sink.end(Buffer.alloc(0));
}
