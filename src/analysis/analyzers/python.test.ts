import { describe, expect, it } from 'vitest';
import { pythonAnalyzer } from './python.js';
import { input } from './testing/input.js';

describe('python analyzer', () => {
  it('reads dist-info, egg-info directories and egg-info files', () => {
    const out = pythonAnalyzer.analyze(
      input({
        '/usr/lib/python3/dist-packages/charset_normalizer-3.0.1.dist-info/METADATA':
          'Metadata-Version: 2.1\nName: charset-normalizer\nVersion: 3.0.1\nLicense: MIT\n\nLicense: not a header\n',
        '/usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info':
          'Metadata-Version: 1.2\nName: certifi\nVersion: 2022.9.24\nClassifier: License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)\n',
        '/opt/venv/lib/python3.11/site-packages/Zope.Interface-6.0.egg-info/PKG-INFO':
          'Name: Zope.Interface\nVersion: 6.0\nLicense-Expression: ZPL-2.1\n',
        '/x/broken.dist-info/METADATA': 'garbage',
      }),
    );
    expect(out.packages?.map((p) => [p.name, p.version, p.path, p.purl, p.licenses])).toEqual([
      [
        'charset-normalizer',
        '3.0.1',
        '/usr/lib/python3/dist-packages/charset_normalizer-3.0.1.dist-info',
        'pkg:pypi/charset-normalizer@3.0.1',
        ['MIT'],
      ],
      [
        'certifi',
        '2022.9.24',
        '/usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info',
        'pkg:pypi/certifi@2022.9.24',
        ['Mozilla Public License 2.0 (MPL 2.0)'],
      ],
      ['Zope.Interface', '6.0', '/opt/venv/lib/python3.11/site-packages/Zope.Interface-6.0.egg-info', 'pkg:pypi/zope-interface@6.0', ['ZPL-2.1']],
    ]);
    expect(out.packages?.[0]?.ecosystem).toBe('PyPI');
    expect(out.warnings?.map((w) => w.code)).toEqual(['python-bad-metadata']);
  });

  it('wants metadata files only', () => {
    const w = (path: string) => pythonAnalyzer.wants({ path, size: 1, mode: 0 });
    expect(w('/a/x-1.dist-info/METADATA')).toBe(true);
    expect(w('/a/x-1.dist-info/RECORD')).toBe(false);
    expect(w('/a/x-1.egg-info/PKG-INFO')).toBe(true);
    expect(w('/a/x-1.egg-info')).toBe(true);
  });
});
