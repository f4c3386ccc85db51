import { describe, expect, it } from 'vitest';
import { DOCKERFILE_RULES } from './rules.js';
import { lintDockerfile } from './lint.js';
import { parseRun } from './shell.js';

const ids = (df: string) => lintDockerfile(df).map((f) => f.id);
/** A clean final stage, appended to snippets so only the rule under test fires. */
const TAIL = 'HEALTHCHECK CMD ["/app/health"]\nUSER 10001\n';

describe('Dockerfile lint', () => {
  it('a good multi-stage Dockerfile has no findings', () => {
    const df = `# syntax=docker/dockerfile:1
FROM golang:1.22@sha256:${'a'.repeat(64)} AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends make gcc && rm -rf /var/lib/apt/lists/*
RUN go build -o /out/app .

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/app /app
EXPOSE 8080
${TAIL}ENTRYPOINT ["/app"]
`;
    expect(lintDockerfile(df)).toEqual([]);
  });

  it('reports every rule on a bad Dockerfile, with line ranges', () => {
    const df = [
      'FROM ubuntu', // 1
      'MAINTAINER someone@example.com', // 2
      'ARG GITHUB_TOKEN', // 3
      'ENV DB_PASSWORD=hunter2 APP_MODE=prod', // 4
      'ADD app.py /srv/', // 5
      'ADD https://example.com/tool.tgz /opt/', // 6
      'RUN apt-get update && \\', // 7
      '    apt-get install gcc make && \\', // 8
      '    apt-get upgrade -y', // 9
      'RUN apk add curl', // 10
      'RUN curl -fsSL https://get.example.com | sudo bash', // 11
      'WORKDIR app', // 12
      'EXPOSE 22/tcp 8080', // 13
      'CMD ["a"]', // 14
      'CMD ["b"]', // 15
      'USER root', // 16
    ].join('\n');
    const findings = lintDockerfile(df, { path: 'Dockerfile' });
    const byLine = findings.map((f) => `${f.location!.startLine}-${f.location!.endLine} ${f.id}`);
    expect(byLine).toEqual([
      '1-1 PCS-DF-001',
      '1-1 PCS-DF-017',
      '2-2 PCS-DF-014',
      '3-3 PCS-DF-013',
      '4-4 PCS-DF-013',
      '5-5 PCS-DF-003',
      '6-6 PCS-DF-004',
      '7-9 PCS-DF-005',
      '7-9 PCS-DF-006',
      '7-9 PCS-DF-007',
      '7-9 PCS-DF-008',
      '7-9 PCS-DF-018',
      '10-10 PCS-DF-009',
      '11-11 PCS-DF-011',
      '11-11 PCS-DF-010',
      '12-12 PCS-DF-016',
      '13-13 PCS-DF-012',
      '15-15 PCS-DF-015',
      '16-16 PCS-DF-002',
    ]);
    const env = findings.find((f) => f.location!.startLine === 4)!;
    expect(env.message).toBe('ENV DB_PASSWORD sets a credential that stays in the image config.');
    expect(JSON.stringify(findings)).not.toContain('hunter2');
    expect(findings.find((f) => f.location!.startLine === 3)!.severity).toBe('MEDIUM');
    expect(findings[0]!.location).toEqual({ kind: 'dockerfile', path: 'Dockerfile', startLine: 1, endLine: 1, startColumn: 1, endColumn: 12 });
  });

  it('every rule carries remediation and references', () => {
    for (const r of Object.values(DOCKERFILE_RULES)) {
      expect(r.id).toMatch(/^PCS-DF-\d{3}$/);
      expect(r.references.length).toBeGreaterThan(0);
      expect(r.remediation.length).toBeGreaterThan(10);
    }
  });

  it.each([
    ['FROM debian', ['PCS-DF-001']],
    ['FROM debian:latest', ['PCS-DF-001']],
    ['FROM docker.io/library/debian:12', []],
    ['FROM localhost:5000/debian', ['PCS-DF-001']],
    ['FROM localhost:5000/debian:12', []],
    [`FROM debian@sha256:${'b'.repeat(64)}`, []],
    ['FROM scratch', []],
    ['ARG BASE=debian:12\nFROM $BASE', []],
  ])('base image: %s', (from, expected) => {
    expect(ids(`${from}\n${TAIL}`)).toEqual(expected);
  });

  it.each([
    ['USER nobody', []],
    ['USER 0:0', ['PCS-DF-002']],
    ['USER root:root', ['PCS-DF-002']],
    ['', ['PCS-DF-002']],
  ])('user: %j', (user, expected) => {
    expect(ids(`FROM debian:12\nHEALTHCHECK CMD true\n${user}\n`)).toEqual(expected);
  });

  it('inherits USER through build stages and only judges the final stage', () => {
    expect(ids(`FROM debian:12 AS base\nUSER app\nFROM base\nHEALTHCHECK CMD true\n`)).toEqual([]);
    expect(ids(`FROM debian:12 AS a\nRUN true\nFROM debian:12\nHEALTHCHECK CMD true\nUSER app\n`)).toEqual([]);
  });

  it.each([
    ['RUN apt-get install -qqy --no-install-recommends curl && rm -rf /var/lib/apt/lists/*', []],
    ['RUN apt-get -y install --no-install-recommends curl && rm -fr /var/lib/apt/lists', []],
    ['RUN --mount=type=cache,target=/var/lib/apt apt-get install -y --no-install-recommends curl', []],
    ['RUN DEBIAN_FRONTEND=noninteractive apt-get install --yes -o APT::Install-Recommends=false curl && rm -rf /var/lib/apt/lists/*', []],
    ['RUN ["apt-get", "install", "curl"]', ['PCS-DF-005', 'PCS-DF-006', 'PCS-DF-007']],
    ['RUN apk add --no-cache curl', []],
    ['RUN wget -qO- https://x/install.sh | sh', ['PCS-DF-010']],
    ['RUN curl -o /tmp/i.sh https://x/i.sh && sha256sum -c sums && sh /tmp/i.sh', []],
    ['RUN echo "a | sh" > /tmp/x', []],
    ['RUN make', ['PCS-DF-018']],
    ['RUN apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*', ['PCS-DF-018']],
  ])('RUN: %s', (run, expected) => {
    expect(ids(`FROM debian:12\n${run}\n${TAIL}`)).toEqual(expected);
  });

  it('reads heredoc RUN scripts line by line', () => {
    const ok = 'RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nrm -rf /var/lib/apt/lists/*\nEOF';
    expect(ids(`FROM debian:12\n${ok}\n${TAIL}`)).toEqual([]);
    const bad = 'RUN <<EOF\napt-get install curl\nEOF';
    expect(ids(`FROM debian:12\n${bad}\n${TAIL}`)).toEqual(['PCS-DF-005', 'PCS-DF-006', 'PCS-DF-007']);
  });

  it('does not crash on empty or malformed input', () => {
    expect(lintDockerfile('')).toEqual([]);
    expect(ids('FROM\nUSER\nEXPOSE abc\nWORKDIR\n')).toEqual(['PCS-DF-002', 'PCS-DF-017']);
  });

  it('ADD of a local archive is allowed, WORKDIR with variables is fine, EXPOSE 3000 is fine', () => {
    expect(ids(`FROM debian:12\nADD rootfs.tar.gz /\nWORKDIR $HOME\nEXPOSE 3000/tcp\n${TAIL}`)).toEqual([]);
  });

  it('ENV placeholders and non-secret names are fine', () => {
    expect(ids(`FROM debian:12\nENV DB_PASSWORD_FILE=/run/secrets/db PASSWORD=\${PASSWORD} GPG_KEY=ABCDEF\n${TAIL}`)).toEqual([]);
  });
});

describe('parseRun', () => {
  it('splits commands and pipelines, honouring quotes', () => {
    const p = parseRun('A=1 sudo -E apt-get install x && echo "a && b" | tee f; curl u || true');
    expect(p.map((pl) => pl.map((c) => c.words.join(' ')))).toEqual([['apt-get install x'], ['echo a && b', 'tee f'], ['curl u'], ['true']]);
    expect(p[0]![0]!.sudo).toBe(true);
  });
});
