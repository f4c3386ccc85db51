import { cis, nist } from '../refs.js';
import type { MisconfigCheck } from '../types.js';

export const endOfLifeOs: MisconfigCheck = {
  id: 'PCS-IMG-016',
  title: 'Operating system release is end-of-life',
  severity: 'HIGH',
  remediation: 'Rebuild on a supported release of the distribution; end-of-life releases get no security fixes.',
  references: [cis('4.4'), nist('4.1.1')],
  run({ os, options }) {
    if (!os?.eol) return [];
    const eol = Date.parse(os.eol);
    if (Number.isNaN(eol) || eol > options.now.getTime()) return [];
    const name = os.prettyName ?? `${os.name} ${os.release}`;
    return [{ message: `${name} reached end of life on ${os.eol.slice(0, 10)}.`, location: { kind: 'file', path: '/etc/os-release' } }];
  },
};
