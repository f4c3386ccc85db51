import { describe, expect, it } from 'vitest';
import { sensitiveEnvName } from './env.js';
import { buildArgs, scanFileForSecrets, scanImageConfigForSecrets } from './image.js';
import { gen } from './testing/samples.js';

describe('scanImageConfigForSecrets', () => {
  it('reports credentials in Env because of where they are, even documentation values', () => {
    const findings = scanImageConfigForSecrets({
      config: {
        Env: [
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
          'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          'DB_PASSWORD=hunter2',
          'NPM_TOKEN=npm_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000',
          'NODE_ENV=production',
        ],
      },
    });
    expect(findings.map((f) => [f.location.kind, f.location.path, f.ruleId])).toEqual([
      ['config-env', 'AWS_ACCESS_KEY_ID', 'aws-access-key-id'],
      ['config-env', 'AWS_SECRET_ACCESS_KEY', 'aws-secret-access-key'],
      ['config-env', 'DB_PASSWORD', 'generic-password'],
      ['config-env', 'NPM_TOKEN', 'npm-access-token'],
    ]);
    const text = JSON.stringify(findings);
    for (const clear of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'hunter2', 'FAKEFAKEFAKE']) expect(text).not.toContain(clear);
  });

  it('judges Env by name when the value has no recognisable format', () => {
    const findings = scanImageConfigForSecrets({ config: { Env: ['MYSQL_ROOT_PASSWORD=root', 'SESSION_SECRET=s3', 'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D', 'PASSWORD_FILE=/run/secrets/pw', 'ADMIN_TOKEN=${TOKEN}', 'EMPTY_PASSWORD='] } });
    expect(findings.map((f) => [f.location.path, f.ruleId, f.match])).toEqual([
      ['MYSQL_ROOT_PASSWORD', 'generic-password', 'MYSQL_ROOT_PASSWORD=r***'],
      ['SESSION_SECRET', 'generic-secret', 'SESSION_SECRET=**'],
    ]);
  });

  it('scans labels and build history (build args leak there), not harmless history', () => {
    const token = `ghp_${gen('abcdefABCDEF0123', 36)}`;
    const findings = scanImageConfigForSecrets({
      config: { Labels: { 'org.opencontainers.image.description': 'demo', 'ci.token': token } },
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        { created_by: 'RUN apt-get install nodejs && useradd app && echo token > /root/.npmrc' },
        { created_by: '|1 DB_PASSWORD=s3cr3t-Pw0rd /bin/sh -c ./configure' },
        { created_by: '|2 VERSION=1.2 API_TOKEN=letmein /bin/sh -c make' },
        { created_by: '|1 API_TOKEN=${TOKEN} /bin/sh -c make' },
      ],
    });
    expect(findings.map((f) => [f.location.kind, f.location.path, f.ruleId, f.match])).toEqual([
      ['config-label', 'ci.token', 'github-pat', 'ghp_' + '*'.repeat(32)],
      ['history', 'history[2]', 'generic-password', 'DB_PASSWORD=s3c*********'],
      ['history', 'history[3]', 'generic-token', 'API_TOKEN=l******'],
    ]);
  });
});

describe('scanFileForSecrets', () => {
  const token = `glpat-${gen('abcdefABCDEF0123', 20)}`;

  it('locates a finding in its layer and line', () => {
    const [f] = scanFileForSecrets('/app/.env', Buffer.from(`A=1\nGITLAB=${token}\n`), { layerIndex: 2, layerDigest: 'sha256:ab', inFinalFs: true });
    expect(f).toMatchObject({
      ruleId: 'gitlab-pat',
      severity: 'CRITICAL',
      location: { kind: 'layer-file', path: '/app/.env', layerIndex: 2, layerDigest: 'sha256:ab', inFinalFs: true, line: 2 },
    });
    expect(f!.note).toBeUndefined();
  });

  it('says when a later layer removed the file', () => {
    const [f] = scanFileForSecrets('/root/.npmrc', Buffer.from(token), { layerIndex: 1, inFinalFs: false, removedInLayer: 2 });
    expect(f!.location).toMatchObject({ inFinalFs: false, removedInLayer: 2 });
    expect(f!.note).toBe('removed in layer 2, still in the image (layer 1)');
  });
});

describe('sensitiveEnvName', () => {
  it.each([
    ['DB_PASSWORD', 'generic-password'],
    ['POSTGRES_PASSWORD', 'generic-password'],
    ['API_KEY', 'generic-api-key'],
    ['STRIPE_SECRET_KEY', 'generic-secret'],
    ['GITHUB_TOKEN', 'generic-token'],
    ['TLS_PRIVATE_KEY', 'private-key'],
    ['PWD', undefined],
    ['GPG_KEY', undefined],
    ['AWS_ACCESS_KEY_ID', undefined],
    ['TOKEN_URL', undefined],
    ['PATH', undefined],
  ])('%s -> %s', (name, kind) => {
    expect(sensitiveEnvName(name)).toBe(kind);
  });
});

describe('buildArgs', () => {
  it('reads the build args of a classic history line', () => {
    expect(buildArgs('|2 A=1 B=two /bin/sh -c echo C=3')).toEqual([['A', '1'], ['B', 'two']]);
    expect(buildArgs('/bin/sh -c echo A=1')).toEqual([]);
  });
});
