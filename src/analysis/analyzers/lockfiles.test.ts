import { describe, expect, it } from 'vitest';
import { cargoLockAnalyzer } from './cargo-lock.js';
import { npmLockAnalyzer } from './npm-lock.js';
import { composerInstalledAnalyzer, composerLockAnalyzer } from './php.js';
import { pythonLockAnalyzer, requirementsEntries } from './python-lock.js';
import { gemfileLockAnalyzer } from './ruby.js';
import { input } from './testing/input.js';

const nv = (out: { packages?: { name: string; version: string }[] }) => out.packages?.map((p) => `${p.name}@${p.version}`);

describe('npm lock files', () => {
  it('package-lock v3 and v1', () => {
    const v3 = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/lodash': { version: '4.17.15' },
        'node_modules/mkdirp/node_modules/minimist': { version: '0.0.8' },
        'node_modules/@types/node': { version: '18.0.0' },
        'node_modules/local': { resolved: 'packages/local', link: true },
      },
    };
    expect(nv(npmLockAnalyzer.analyze(input({ '/app/package-lock.json': JSON.stringify(v3) })))).toEqual([
      'lodash@4.17.15',
      'minimist@0.0.8',
      '@types/node@18.0.0',
    ]);
    const v1 = {
      lockfileVersion: 1,
      dependencies: {
        mkdirp: { version: '0.5.1', dependencies: { minimist: { version: '0.0.8' } } },
        mine: { version: 'file:../mine' },
      },
    };
    const out = npmLockAnalyzer.analyze(input({ '/app/npm-shrinkwrap.json': JSON.stringify(v1) }));
    expect(nv(out)).toEqual(['mkdirp@0.5.1', 'minimist@0.0.8']);
    expect(out.packages?.[1]?.purl).toBe('pkg:npm/minimist@0.0.8');
  });

  it('yarn.lock v1 and berry', () => {
    const v1 = `# yarn lockfile v1

"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/..."

lodash@^4.17.15:
  version "4.17.21"
`;
    expect(nv(npmLockAnalyzer.analyze(input({ '/a/yarn.lock': v1 })))).toEqual(['@babel/code-frame@7.12.13', 'lodash@4.17.21']);
    const berry = `__metadata:
  version: 6

"app@workspace:.":
  version: 0.0.0-use.local

"lodash@npm:^4.17.15, lodash@npm:^4.17.20":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"

"@types/node@npm:*":
  version: 20.1.0
`;
    expect(nv(npmLockAnalyzer.analyze(input({ '/b/yarn.lock': berry })))).toEqual(['lodash@4.17.21', '@types/node@20.1.0']);
  });

  it('pnpm-lock v5, v6 and v9', () => {
    const v5 = `lockfileVersion: 5.4\npackages:\n  /lodash/4.17.21:\n    resolution: {integrity: sha512-x}\n  /@types/node/18.0.0_peer@1.0.0:\n    dev: true\n`;
    const v6 = `lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.21:\n    resolution: {integrity: sha512-x}\n  /@babel/core@7.0.0(supports-color@8.0.0):\n    dev: true\n`;
    const v9 = `lockfileVersion: '9.0'\npackages:\n  lodash@4.17.21:\n    resolution: {integrity: sha512-x}\n  '@scope/x@1.0.0':\n    resolution: {integrity: sha512-y}\n`;
    expect(nv(npmLockAnalyzer.analyze(input({ '/5/pnpm-lock.yaml': v5 })))).toEqual(['lodash@4.17.21', '@types/node@18.0.0']);
    expect(nv(npmLockAnalyzer.analyze(input({ '/6/pnpm-lock.yaml': v6 })))).toEqual(['lodash@4.17.21', '@babel/core@7.0.0']);
    expect(nv(npmLockAnalyzer.analyze(input({ '/9/pnpm-lock.yaml': v9 })))).toEqual(['lodash@4.17.21', '@scope/x@1.0.0']);
  });

  it('bad lock files are warnings', () => {
    const out = npmLockAnalyzer.analyze(input({ '/a/package-lock.json': '{', '/b/pnpm-lock.yaml': ': : :\n  - [' }));
    expect(out.warnings?.map((w) => w.path)).toEqual(['/a/package-lock.json', '/b/pnpm-lock.yaml']);
  });
});

describe('python lock files', () => {
  it('requirements pins only', () => {
    expect(
      requirementsEntries(
        'requests==2.28.1  # pinned\nurllib3[socks]==1.26.12 ; python_version > "3"\nflask>=2\n-r other.txt\nsix===1.16.0 \\\n    --hash=sha256:abc\nx==1.*\n',
      ),
    ).toEqual([
      ['requests', '2.28.1'],
      ['urllib3', '1.26.12'],
      ['six', '1.16.0'],
    ]);
  });

  it('Pipfile.lock and poetry.lock', () => {
    const pipfile = JSON.stringify({ _meta: {}, default: { requests: { version: '==2.31.0' } }, develop: { pytest: { version: '==7.4.0' } } });
    const poetry = `[[package]]\nname = "Django"\nversion = "4.2.1"\n\n[package.dependencies]\nasgiref = ">=3.6"\n\n[[package]]\nname = "asgiref"\nversion = "3.7.2"\n\n[metadata]\nlock-version = "2.0"\n`;
    const out = pythonLockAnalyzer.analyze(input({ '/p/Pipfile.lock': pipfile, '/q/poetry.lock': poetry, '/r/requirements-dev.txt': 'black==23.1.0\n' }));
    expect(nv(out)).toEqual(['requests@2.31.0', 'pytest@7.4.0', 'Django@4.2.1', 'asgiref@3.7.2', 'black@23.1.0']);
    expect(out.packages?.[2]?.purl).toBe('pkg:pypi/django@4.2.1');
  });
});

describe('other lock files', () => {
  it('Gemfile.lock', () => {
    const lock = `GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    racc (1.6.2)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri
`;
    const out = gemfileLockAnalyzer.analyze(input({ '/app/Gemfile.lock': lock }));
    expect(nv(out)).toEqual(['nokogiri@1.13.10', 'racc@1.6.2']);
    expect(out.packages?.[0]).toMatchObject({ ecosystem: 'RubyGems', purl: 'pkg:gem/nokogiri@1.13.10' });
  });

  it('Cargo.lock', () => {
    const lock = `version = 3\n\n[[package]]\nname = "serde"\nversion = "1.0.193"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\ndependencies = [\n "serde_derive",\n]\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n`;
    const out = cargoLockAnalyzer.analyze(input({ '/src/Cargo.lock': lock }));
    expect(nv(out)).toEqual(['serde@1.0.193', 'app@0.1.0']);
    expect(out.packages?.[0]?.purl).toBe('pkg:cargo/serde@1.0.193');
  });

  it('composer installed.json v1, v2 and composer.lock', () => {
    const rec = { name: 'monolog/monolog', version: '2.9.1', license: ['MIT'] };
    const v1 = composerInstalledAnalyzer.analyze(input({ '/app/vendor/composer/installed.json': JSON.stringify([rec]) }));
    const v2 = composerInstalledAnalyzer.analyze(
      input({ '/app/vendor/composer/installed.json': JSON.stringify({ packages: [rec], dev: true }) }),
    );
    expect(v1.packages).toEqual(v2.packages);
    expect(v1.packages?.[0]).toMatchObject({
      name: 'monolog/monolog',
      ecosystem: 'Packagist',
      purl: 'pkg:composer/monolog/monolog@2.9.1',
      licenses: ['MIT'],
    });
    const lock = composerLockAnalyzer.analyze(
      input({ '/app/composer.lock': JSON.stringify({ packages: [rec], 'packages-dev': [{ name: 'phpunit/phpunit', version: '9.6.0' }] }) }),
    );
    expect(nv(lock)).toEqual(['monolog/monolog@2.9.1', 'phpunit/phpunit@9.6.0']);
    expect(composerLockAnalyzer.analyze(input({ '/x/composer.lock': 'nope' })).warnings).toHaveLength(1);
  });
});
