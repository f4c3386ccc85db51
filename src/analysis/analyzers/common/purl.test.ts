import { describe, expect, it } from 'vitest';
import { npmPurl, pypiPurl } from './lang.js';
import { purl } from './purl.js';

describe('purl', () => {
  it('encodes components and sorts qualifiers', () => {
    expect(purl({ type: 'deb', namespace: 'debian', name: 'libc6', version: '2.36-9+deb12u4', qualifiers: { distro: 'debian-12', arch: 'amd64' } })).toBe(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    );
    expect(purl({ type: 'deb', namespace: 'debian', name: 'bsdutils', version: '1:2.38.1-5' })).toBe('pkg:deb/debian/bsdutils@1:2.38.1-5');
    expect(purl({ type: 'maven', namespace: 'org.apache', name: 'x y', version: '1', qualifiers: { empty: '', none: undefined } })).toBe(
      'pkg:maven/org.apache/x%20y@1',
    );
    expect(purl({ type: 'golang', namespace: 'github.com/a/b', name: 'c', version: 'v1.0.0', subpath: '../x/./y' })).toBe(
      'pkg:golang/github.com/a/b/c@v1.0.0#x/y',
    );
  });

  it('npm scopes and PEP 503 names', () => {
    expect(npmPurl('@babel/core', '7.0.0')).toBe('pkg:npm/%40babel/core@7.0.0');
    expect(npmPurl('lodash', '4.17.21')).toBe('pkg:npm/lodash@4.17.21');
    expect(pypiPurl('Charset_Normalizer', '3.0.1')).toBe('pkg:pypi/charset-normalizer@3.0.1');
  });
});
