import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elf, inlineElf, macho, pe, pointerElf, pointerPayload } from '../testing/elf-fixture.js';
import { input } from '../testing/input.js';
import { occursIn } from './chunks.js';
import { openExe } from './exe.js';
import { hasGoBuildInfo } from './go-buildinfo.js';
import { goBinaryAnalyzer, stdlibVersion } from './go.js';
import { rustBinaryAnalyzer } from './rust.js';

const EXPECTED = (std: string) => [
  ['example.com/app', '(devel)'],
  ['golang.org/x/net', 'v0.17.0'],
  ['github.com/fork/lib', 'v1.0.1'],
  ['github.com/local/lib', 'v0.0.0'],
  ['stdlib', std],
];

describe('go binary analyzer', () => {
  it('reads inline build info (Go >= 1.18) with replacements and stdlib', () => {
    const out = goBinaryAnalyzer.analyze(input({ '/usr/local/bin/app': inlineElf() }));
    expect(out.packages?.map((p) => [p.name, p.version])).toEqual(EXPECTED('v1.21.5'));
    expect(out.packages?.[1]).toMatchObject({
      ecosystem: 'Go',
      purl: 'pkg:golang/golang.org/x/net@v0.17.0',
      path: '/usr/local/bin/app',
      type: 'go',
    });
  });

  it('reads pointer-based build info (Go < 1.18) through the ELF segments', () => {
    const out = goBinaryAnalyzer.analyze(input({ '/app': pointerElf() }));
    expect(out.warnings).toBeUndefined();
    expect(out.packages?.map((p) => [p.name, p.version])).toEqual(EXPECTED('v1.16.15'));
  });

  it('reads pointer-based build info from PE and Mach-O files', () => {
    for (const file of [pe(pointerPayload), macho(pointerPayload)]) {
      const out = goBinaryAnalyzer.analyze(input({ '/app.exe': file }));
      expect(out.warnings).toBeUndefined();
      expect(out.packages?.map((p) => [p.name, p.version])).toEqual(EXPECTED('v1.16.15'));
    }
  });

  it('ignores non-Go files and warns on broken build info', () => {
    const broken = inlineElf();
    broken.writeUInt8(0xff, 0x100 + 32); // version length varint now runs past the end
    broken.fill(0xff, 0x100 + 33, 0x100 + 45);
    const out = goBinaryAnalyzer.analyze(input({ '/bin/sh': elf(() => Buffer.alloc(64)), '/bin/x': broken, '/s': '#!/bin/sh\n' }));
    expect(out.packages).toEqual([]);
    expect(out.warnings?.map((w) => w.path)).toEqual(['/bin/x']);
  });

  it('normalises Go versions', () => {
    expect(stdlibVersion('go1.22')).toBe('v1.22.0');
    expect(stdlibVersion('go1.21.5 X:boringcrypto')).toBe('v1.21.5');
    expect(stdlibVersion('go1.21rc2')).toBe('v1.21.0-rc2');
    expect(stdlibVersion('devel +abc')).toBeUndefined();
  });

  it('wants executables only', () => {
    expect(goBinaryAnalyzer.wants({ path: '/usr/bin/app', size: 5_000_000, mode: 0o100755 })).toBe(true);
    expect(goBinaryAnalyzer.wants({ path: '/etc/passwd', size: 5_000, mode: 0o100644 })).toBe(false);
    expect(goBinaryAnalyzer.wants({ path: '/usr/bin/tiny', size: 100, mode: 0o100755 })).toBe(false);
  });
});

describe('rust binary analyzer', () => {
  it('reads the cargo-auditable .dep-v0 section', () => {
    const deps = {
      packages: [
        { name: 'app', version: '0.1.0', source: 'local', root: true },
        { name: 'serde', version: '1.0.193', source: 'crates.io' },
        { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
      ],
    };
    const file = elf(() => Buffer.alloc(16), { '.text': Buffer.alloc(32), '.dep-v0': deflateSync(JSON.stringify(deps)) });
    expect(openExe(file)?.sections.map((s) => s.name)).toEqual(['.text', '.dep-v0', '.shstrtab']);
    const out = rustBinaryAnalyzer.analyze(input({ '/usr/bin/app': file }));
    expect(out.packages?.map((p) => [p.name, p.version, p.purl, p.ecosystem])).toEqual([
      ['app', '0.1.0', 'pkg:cargo/app@0.1.0', 'crates.io'],
      ['serde', '1.0.193', 'pkg:cargo/serde@1.0.193', 'crates.io'],
    ]);
    const bad = elf(() => Buffer.alloc(16), { '.dep-v0': Buffer.from('not zlib') });
    expect(rustBinaryAnalyzer.analyze(input({ '/x': bad })).warnings?.map((w) => w.code)).toEqual(['rust-audit']);
  });
});

describe('binary analyzers: content prefilter (keep)', () => {
  const meta = { path: '/usr/bin/x', size: 0, mode: 0o100755 };
  const depsFile = elf(() => Buffer.alloc(16), { '.dep-v0': deflateSync(JSON.stringify({ packages: [{ name: 'serde', version: '1.0.0' }] })) });
  const files = {
    go: inlineElf(),
    goPointer: pointerElf(),
    rust: depsFile,
    plain: elf(() => Buffer.alloc(64)),
    // The magic off the 16-byte alignment Go's own reader requires.
    misaligned: Buffer.concat([Buffer.alloc(17), Buffer.from('\xff Go buildinf:', 'latin1'), Buffer.alloc(64)]),
  };

  it('keeps exactly the files the analyzer finds something in', () => {
    for (const [a, found] of [
      [goBinaryAnalyzer, ['go', 'goPointer']],
      [rustBinaryAnalyzer, ['rust']],
    ] as const) {
      const kept = Object.entries(files)
        .filter(([, c]) => a.keep(meta, [c]))
        .map(([k]) => k);
      expect(kept).toEqual(found);
    }
  });

  it('gives the same output whether or not the rejected files reach analyze()', () => {
    for (const a of [goBinaryAnalyzer, rustBinaryAnalyzer]) {
      const all = input(Object.fromEntries(Object.entries(files).map(([k, c]) => [`/bin/${k}`, c])));
      const kept = { ...all, files: all.files.filter((f) => a.keep(f.meta, [f.content])) };
      expect(a.analyze(kept)).toEqual(a.analyze(all));
    }
  });
});

describe('occursIn', () => {
  it('finds a needle across any split of the content exactly as a search of the whole would', () => {
    const needle = Buffer.from('\xff Go buildinf:', 'latin1');
    const whole = fc
      .tuple(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 3 }))
      .map(([bytes, at]) => {
        const b = Buffer.from(bytes);
        const out = Buffer.alloc(Math.max(b.length, ...at.map((i) => i + needle.length)));
        b.copy(out);
        for (const i of at) needle.copy(out, i);
        return out;
      });
    fc.assert(
      fc.property(whole, fc.array(fc.nat(320), { maxLength: 8 }), (buf, cuts) => {
        const points = [...new Set(cuts.filter((c) => c < buf.length))].sort((a, b) => a - b);
        const parts = [0, ...points].map((p, i) => buf.subarray(p, [...points, buf.length][i]));
        // Go's rule (16-byte aligned, 32 bytes of room) and a plain search.
        let aligned = false;
        for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) if (i % 16 === 0 && i + 32 <= buf.length) aligned = true;
        expect(occursIn(parts, needle, (at, total) => at % 16 === 0 && at + 32 <= total)).toBe(aligned);
        expect(occursIn(parts, needle)).toBe(buf.includes(needle));
        expect(hasGoBuildInfo(parts)).toBe(aligned);
      }),
      { numRuns: 3000 },
    );
  });
});
