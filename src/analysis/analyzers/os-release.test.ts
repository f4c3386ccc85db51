import { describe, expect, it } from 'vitest';
import { osReleaseAnalyzer, parseOsRelease } from './os-release.js';
import { DEBIAN_12, input } from './testing/input.js';

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

const run = (files: Record<string, string>, os?: typeof DEBIAN_12) => osReleaseAnalyzer.analyze(input(files, os)).os;

describe('os-release analyzer', () => {
  it('parses quoting and escapes', () => {
    expect(parseOsRelease(`A="x \\"y\\""\nB='z'\n# c\nC=plain\n`)).toEqual({ A: 'x "y"', B: 'z', C: 'plain' });
  });

  it('Debian with EOL', () => {
    expect(run({ '/etc/os-release': DEBIAN })).toEqual({
      family: 'debian',
      name: 'Debian GNU/Linux',
      release: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      eol: '2028-06-30',
    });
  });

  it('Ubuntu, Alpine, Amazon, Rocky, SUSE releases as the feeds key them', () => {
    expect(run({ '/usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nNAME=Ubuntu\nVERSION_CODENAME=jammy\n' })).toMatchObject({
      family: 'ubuntu',
      release: '22.04',
      codename: 'jammy',
      eol: '2027-06-01',
    });
    expect(run({ '/etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\nNAME="Alpine Linux"\n' })).toMatchObject({
      family: 'alpine',
      release: '3.19',
    });
    expect(run({ '/etc/os-release': 'ID="amzn"\nVERSION_ID="2"\nNAME="Amazon Linux"\n' })).toMatchObject({ family: 'amazon', release: '2' });
    expect(run({ '/etc/os-release': 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n' })).toMatchObject({
      family: 'rocky',
      release: '9',
      eol: '2032-05-31',
    });
    expect(run({ '/etc/os-release': 'ID="sles"\nVERSION_ID="15.5"\n' })).toMatchObject({ family: 'sles', release: '15.5' });
  });

  it('falls back to release files', () => {
    expect(run({ '/etc/alpine-release': '3.18.4\n' })).toMatchObject({ family: 'alpine', release: '3.18' });
    expect(run({ '/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' })).toMatchObject({
      family: 'centos',
      release: '7',
      codename: 'Core',
    });
    expect(run({ '/etc/system-release': 'Amazon Linux AMI release 2018.03\n' })).toMatchObject({ family: 'amazon', release: '2018.03' });
    expect(run({ '/etc/debian_version': '11.9\n' })).toMatchObject({ family: 'debian', release: '11' });
    expect(run({ '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\nDISTRIB_CODENAME=focal\n' })).toMatchObject({
      family: 'ubuntu',
      release: '20.04',
    });
  });

  it('distroless: dpkg status.d without os-release is Debian', () => {
    const status = 'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n';
    expect(run({ '/var/lib/dpkg/status.d/base-files': status })).toMatchObject({ family: 'debian', release: '12' });
    // A later layer's status.d entries never override an OS already known.
    expect(run({ '/var/lib/dpkg/status.d/libssl3': 'Package: libssl3\nVersion: 3.0.11-1\n' }, DEBIAN_12)).toBeUndefined();
  });

  it('unknown or garbage input yields no OS and no throw', () => {
    expect(run({ '/etc/os-release': '\u0000\u0001garbage' })).toBeUndefined();
    expect(run({})).toBeUndefined();
  });
});
