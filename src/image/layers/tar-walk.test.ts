import { Readable } from 'node:stream';
import fc from 'fast-check';
import * as tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from './byte-queue.js';
import { readLayer } from './reader.js';
import { TarWalk } from './tar-walk.js';
import { chunked, makeTar, type FixtureEntry } from './testing/tar.js';
import { END, padded, paxRecords, rawEntry, rawHeader } from './testing/headers.js';

interface Seen {
  name: string;
  type: string | null;
  size: number | null;
  mode: number | null;
  linkname: string | null;
  body: string;
}

/** Every header and its content through TarWalk (reading `readFirst` bytes of each entry, then skipping the rest). */
async function walk(input: Readable, readFirst = Number.POSITIVE_INFINITY): Promise<Seen[]> {
  const queue = new ByteQueue(input, 64 * 1024, undefined, () => input.destroy());
  input.on('error', (err) => queue.fail(err));
  const w = new TarWalk(queue);
  const out: Seen[] = [];
  for (let h = await w.next(); h !== undefined; h = await w.next()) {
    const parts: Buffer[] = [];
    await w.readData(readFirst, parts);
    out.push({ name: h.name, type: h.type, size: h.size, mode: h.mode, linkname: h.linkname, body: Buffer.concat(parts).toString('latin1') });
  }
  return out;
}

/** The same through tar-stream (what the layer reader used before). */
async function reference(buf: Buffer, readFirst = Number.POSITIVE_INFINITY): Promise<Seen[]> {
  const extract = tar.extract();
  Readable.from([buf]).pipe(extract);
  const out: Seen[] = [];
  for await (const e of extract) {
    const parts: Buffer[] = [];
    const h = e.header;
    // A directory's stream never ends when its header claims a size (the old reader never read it).
    if (h.type === 'directory') e.resume();
    else for await (const c of e) parts.push(c as Buffer);
    const body = Buffer.concat(parts).subarray(0, readFirst).toString('latin1');
    out.push({ name: h.name, type: h.type ?? null, size: h.size ?? null, mode: h.mode ?? null, linkname: h.linkname ?? null, body });
  }
  return out;
}

const entryArb: fc.Arbitrary<FixtureEntry> = fc.oneof(
  fc.record({
    name: fc.stringMatching(/^[a-z.]{1,8}(\/[a-zé.]{1,40}){0,5}$/),
    content: fc.uint8Array({ maxLength: 1500 }).map((a) => Buffer.from(a)),
    mode: fc.constantFrom(0o644, 0o755, 0o4755),
  }),
  fc.record({ name: fc.stringMatching(/^[a-z]{1,6}\/$/), type: fc.constant('directory' as const) }),
  fc.record({ name: fc.stringMatching(/^[a-z]{1,10}$/), type: fc.constant('symlink' as const), linkname: fc.stringMatching(/^[./a-z]{1,130}$/) }),
);

describe('TarWalk', () => {
  it('agrees with tar-stream on random archives, whatever the chunking and however much is read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { maxLength: 12 }), fc.integer({ min: 1, max: 2000 }), fc.constantFrom(0, 7, 600, Infinity), async (entries, chunk, readFirst) => {
        const buf = await makeTar(entries);
        expect(await walk(chunked(buf, chunk), readFirst)).toEqual(await reference(buf, readFirst));
      }),
      { numRuns: 150 },
    );
  });

  it('applies GNU long names and links, PAX path/linkpath/size, and global PAX only with an entry PAX header (as tar-stream)', async () => {
    const longName = `${'dir/'.repeat(40)}file`;
    const buf = Buffer.concat([
      rawEntry({ name: '././@LongLink', flag: 'L', magic: 'gnu' }, `${longName}\0`),
      rawEntry({ name: '././@LongLink', flag: 'K', magic: 'gnu' }, 'some/long/target'),
      rawEntry({ name: 'short', flag: '2', magic: 'gnu' }),
      rawEntry({ name: 'g', flag: 'g' }, paxRecords({ path: 'from/global' })),
      rawEntry({ name: 'plain' }, 'abc'),
      rawEntry({ name: 'x', flag: 'x' }, paxRecords({ size: '7', linkpath: 'L'.repeat(300) })),
      rawHeader({ name: 'sized-by-pax', size: 0 }),
      padded('seven77'),
      rawEntry({ name: 'dir/', flag: '0' }),
      END,
    ]);
    const seen = await walk(chunked(buf, 100));
    expect(seen).toEqual(await reference(buf));
    expect(seen.map((s) => [s.name, s.type, s.linkname, s.body])).toEqual([
      [longName, 'symlink', 'some/long/target', ''],
      ['plain', 'file', null, 'abc'],
      ['from/global', 'file', 'L'.repeat(300), 'seven77'],
      // tar-stream keeps a type-0 "dir/" a file; results must not change.
      ['dir/', 'file', null, ''],
    ]);
  });

  it('reads base-256 sizes, skips zero blocks, and treats a directory size as no data', async () => {
    const size256 = Buffer.alloc(12);
    size256[0] = 0x80;
    size256[11] = 5;
    const buf = Buffer.concat([
      rawHeader({ name: 'b256', sizeField: size256 }),
      padded('12345'),
      Buffer.alloc(512),
      rawHeader({ name: 'd', flag: '5', size: 1024 }),
      rawEntry({ name: 'next' }, 'n'),
      END,
    ]);
    const seen = await walk(chunked(buf, 333));
    expect(seen).toEqual(await reference(buf));
    expect(seen.map((s) => [s.name, s.body])).toEqual([
      ['b256', '12345'],
      ['d', ''],
      ['next', 'n'],
    ]);
  });

  it('rejects bad checksums, unknown formats, malformed sizes and oversized meta headers as corrupt tar', async () => {
    const bad = rawEntry({ name: 'a' }, 'x');
    bad[0] = 0x62; // checksum no longer matches
    const badSize = Buffer.alloc(12, 0x81); // base-256 marker byte neither 0x80 nor 0xff
    for (const input of [
      bad,
      rawEntry({ name: 'v7', magic: 'v7' }, 'x'),
      rawHeader({ name: 'm', sizeField: badSize }),
      rawHeader({ name: 'p', flag: 'x', size: 5 * 1024 * 1024 }),
    ]) {
      await expect(walk(Readable.from([Buffer.concat([input, END])]))).rejects.toMatchObject({ name: 'LayerFormatError', code: 'corrupt-tar' });
    }
  });

  it('reports truncation inside a header, an entry, padding or a PAX record (never hangs)', async () => {
    const buf = Buffer.concat([
      rawEntry({ name: 'a', flag: '2', linkname: 't' }),
      rawEntry({ name: 'x', flag: 'x' }, paxRecords({ path: 'p'.repeat(700) })),
      rawEntry({ name: 'f' }, 'y'.repeat(700)),
      END,
    ]);
    // (A cut at a block boundary between entries is a valid archive without its end blocks.)
    for (const cut of [100, 600, 1100, 1600, 2200, 2560, 3000, 3400]) {
      await expect(walk(chunked(buf.subarray(0, cut), 64))).rejects.toMatchObject({ code: 'truncated' });
    }
  });

  it('never buffers more than its read-ahead while the consumer is busy', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const source = new Readable({
      read() {
        produced += chunk.length;
        this.push(produced > 64 * 1024 * 1024 ? null : chunk);
      },
    });
    const queue = new ByteQueue(source, 1024 * 1024, undefined, () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(queue.buffered).toBeLessThanOrEqual(1024 * 1024 + chunk.length);
    expect(produced).toBeLessThan(4 * 1024 * 1024);
    source.destroy();
  });
});

describe('readLayer on hand-built headers', () => {
  it('yields the entries before a corrupt header, then rejects', async () => {
    const bad = rawEntry({ name: 'bad' }, 'x');
    bad[10] = 0x41;
    const reader = readLayer(chunked(Buffer.concat([rawEntry({ name: 'ok' }, 'fine'), bad, END]), 100), { compression: 'none' });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of reader) seen.push(`${e.path}:${(await e.read()).toString()}`);
      })(),
    ).rejects.toMatchObject({ code: 'corrupt-tar' });
    expect(seen).toEqual(['/ok:fine']);
  });

  it('rejects a layer cut off anywhere after a link entry as truncated (the tar-stream reader hung on some)', async () => {
    const buf = await makeTar([
      { name: 'usr/bin/sh', type: 'symlink', linkname: `../${'z'.repeat(130)}` },
      { name: 'etc/passwd', content: 'root:x:0:0\n' },
    ]);
    for (let cut = 1; cut < buf.length - 1024; cut += 97) {
      if (cut % 512 === 0) continue;
      const reader = readLayer(chunked(buf.subarray(0, cut), 50), { compression: 'none' });
      await expect(
        (async () => {
          for await (const e of reader) await e.read();
        })(),
      ).rejects.toMatchObject({ code: 'truncated' });
    }
  });

  it('readChunks gives the pieces read() joins, prefix or whole, and nothing for non-files', async () => {
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const reader = readLayer(chunked(await makeTar([{ name: 'f', content: body }, { name: 'l', type: 'symlink', linkname: 'f' }]), 333), { compression: 'none' });
    const seen: string[] = [];
    for await (const e of reader) {
      if (e.type === 'file') {
        const head = await e.readChunks!(1000);
        expect(head.length).toBeGreaterThan(1);
        expect(Buffer.concat(head)).toEqual(body.subarray(0, 1000));
        const all = await e.readChunks!();
        expect(Buffer.concat(all)).toEqual(body);
        expect(await e.read()).toEqual(body);
      } else expect(await e.readChunks!()).toEqual([]);
      seen.push(e.path);
    }
    expect(seen).toEqual(['/f', '/l']);
  });
});
