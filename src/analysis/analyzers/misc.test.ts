import { describe, expect, it } from 'vitest';
import { dotnetDepsAnalyzer } from './dotnet.js';
import { ALL_ANALYZERS, ANALYZERS, LOCKFILE_ANALYZERS } from './index.js';
import { gemspecAnalyzer } from './ruby.js';
import { input } from './testing/input.js';

describe('gemspec analyzer', () => {
  it('reads installed specifications', () => {
    const spec = `# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib
Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"
  s.licenses = ["MIT".freeze]
end
`;
    const out = gemspecAnalyzer.analyze(
      input({ '/usr/local/bundle/specifications/rake-13.0.6.gemspec': spec, '/usr/local/bundle/specifications/x.gemspec': 'junk' }),
    );
    expect(out.packages?.map((p) => [p.name, p.version, p.purl, p.licenses, p.ecosystem])).toEqual([
      ['rake', '13.0.6', 'pkg:gem/rake@13.0.6', ['MIT'], 'RubyGems'],
    ]);
    expect(out.warnings).toHaveLength(1);
    expect(gemspecAnalyzer.wants({ path: '/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec', size: 1, mode: 0 })).toBe(true);
    expect(gemspecAnalyzer.wants({ path: '/src/rake.gemspec', size: 1, mode: 0 })).toBe(false);
  });
});

describe('dotnet deps analyzer', () => {
  it('lists package libraries, not projects', () => {
    const deps = {
      libraries: {
        'App/1.0.0': { type: 'project' },
        'Newtonsoft.Json/13.0.1': { type: 'package', sha512: 'x' },
        'System.Text.Json/6.0.0': { type: 'package' },
      },
    };
    const out = dotnetDepsAnalyzer.analyze(input({ '/app/App.deps.json': JSON.stringify(deps), '/app/bad.deps.json': '[]' }));
    expect(out.packages?.map((p) => [p.name, p.version, p.purl, p.ecosystem])).toEqual([
      ['Newtonsoft.Json', '13.0.1', 'pkg:nuget/Newtonsoft.Json@13.0.1', 'NuGet'],
      ['System.Text.Json', '6.0.0', 'pkg:nuget/System.Text.Json@6.0.0', 'NuGet'],
    ]);
    expect(out.warnings?.map((w) => w.path)).toEqual(['/app/bad.deps.json']);
  });
});

describe('analyzer lists', () => {
  it('have unique names, positive versions, os-release first, and never throw on garbage', () => {
    const names = ALL_ANALYZERS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(ANALYZERS[0]?.name).toBe('os-release');
    expect(ALL_ANALYZERS).toHaveLength(ANALYZERS.length + LOCKFILE_ANALYZERS.length);
    const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, ...Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff)]);
    for (const a of ALL_ANALYZERS) {
      expect(a.version).toBeGreaterThan(0);
      const paths = [
        '/etc/os-release',
        '/var/lib/dpkg/status',
        '/lib/apk/db/installed',
        '/var/lib/rpm/Packages',
        '/app/package.json',
        '/x.dist-info/METADATA',
        '/usr/bin/app',
        '/app.jar',
        '/app/package-lock.json',
        '/app/yarn.lock',
        '/app/pnpm-lock.yaml',
        '/specifications/a.gemspec',
        '/a.deps.json',
        '/vendor/composer/installed.json',
        '/Cargo.lock',
      ];
      const files = Object.fromEntries(paths.filter((p) => a.wants({ path: p, size: garbage.length, mode: 0o100755 })).map((p) => [p, garbage]));
      expect(() => a.analyze(input(files))).not.toThrow();
    }
  });
});
