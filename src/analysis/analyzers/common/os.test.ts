import { describe, expect, it } from 'vitest';
import { dpkgAnalyzer } from '../dpkg/index.js';
import { input } from '../testing/input.js';
import { withOs } from './os-package.js';
import { distroQualifier, osEcosystem } from './os.js';

const os = (family: string, release: string) => ({ family, name: family, release });

describe('OS ecosystems', () => {
  it('follow OSV names', () => {
    expect(osEcosystem(os('debian', '12'), 'x')).toBe('Debian:12');
    expect(osEcosystem(os('ubuntu', '22.04'), 'x')).toBe('Ubuntu:22.04');
    expect(osEcosystem(os('alpine', '3.19'), 'x')).toBe('Alpine:v3.19');
    expect(osEcosystem(os('alpine', 'edge'), 'x')).toBe('Alpine:edge');
    expect(osEcosystem(os('rhel', '9'), 'x')).toBe('Red Hat');
    expect(osEcosystem(os('rocky', '9'), 'x')).toBe('Rocky Linux:9');
    expect(osEcosystem(os('alma', '8'), 'x')).toBe('AlmaLinux:8');
    expect(osEcosystem(os('sles', '15.5'), 'x')).toBe('SUSE:Linux Enterprise Server 15 SP5');
    expect(osEcosystem(os('sles', '15'), 'x')).toBe('SUSE:Linux Enterprise Server 15');
    expect(osEcosystem(os('opensuse', '15.5'), 'x')).toBe('openSUSE:Leap 15.5');
    expect(osEcosystem(os('amazon', '2023'), 'x')).toBe('Amazon Linux:2023');
    expect(osEcosystem(os('plan9', '4'), 'fallback')).toBe('fallback');
    expect(osEcosystem(undefined, 'Debian')).toBe('Debian');
  });

  it('distro qualifier', () => {
    expect(distroQualifier(os('debian', '12'))).toBe('debian-12');
    expect(distroQualifier(os('debian', ''))).toBeUndefined();
  });
});

describe('withOs', () => {
  it('re-keys OS packages found before the OS was known', () => {
    const dpkg = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status': 'Package: libc6\nVersion: 2.35-0ubuntu3\nArchitecture: amd64\n' }));
    const pkg = dpkg.packages![0]!;
    expect(pkg).toMatchObject({ ecosystem: 'Debian', purl: 'pkg:deb/debian/libc6@2.35-0ubuntu3?arch=amd64' });
    expect(withOs(pkg, os('ubuntu', '22.04'))).toMatchObject({
      ecosystem: 'Ubuntu:22.04',
      purl: 'pkg:deb/ubuntu/libc6@2.35-0ubuntu3?arch=amd64&distro=ubuntu-22.04',
    });
    expect(withOs(pkg, undefined)).toBe(pkg);
    const rpm = { type: 'rpm' as const, ecosystem: 'RPM', name: 'openssl-libs', version: '1:3.0.7-24.el9', arch: 'x86_64', purl: 'x', path: '/p' };
    expect(withOs(rpm, os('rhel', '9'))).toMatchObject({
      ecosystem: 'Red Hat',
      purl: 'pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9&epoch=1',
    });
    const npm = { type: 'npm' as const, ecosystem: 'npm', name: 'a', version: '1', purl: 'pkg:npm/a@1', path: '/p' };
    expect(withOs(npm, os('debian', '12'))).toBe(npm);
  });
});
