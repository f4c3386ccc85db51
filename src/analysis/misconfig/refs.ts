import type { Reference } from './types.js';

const CIS_URL = 'https://www.cisecurity.org/benchmark/docker';
const NIST_URL = 'https://doi.org/10.6028/NIST.SP.800-190';

export const cis = (id: string): Reference => ({ source: 'CIS Docker Benchmark', id, url: CIS_URL });
export const nist = (id: string): Reference => ({ source: 'NIST SP 800-190', id, url: NIST_URL });
export const trivy = (id: string): Reference => ({ source: 'Trivy', id, url: `https://avd.aquasec.com/misconfig/${id.toLowerCase()}` });
export const hadolint = (id: string): Reference => ({ source: 'Hadolint', id, url: `https://github.com/hadolint/hadolint/wiki/${id}` });
