import { describe, expect, it } from 'vitest';
import { KeywordPrefilter } from './prefilter.js';
import { SecretScanner } from './scanner.js';
import { gen, pem } from './testing/samples.js';
import { isBinary, isPlaceholder, maskSecret, shannonEntropy } from './text.js';

const scanner = new SecretScanner();
const scan = (text: string, path = '/srv/app/settings.conf') => scanner.scanFile(path, Buffer.from(text));
const ids = (text: string, path?: string) => scan(text, path).matches.map((m) => m.rule.id);

describe('keyword prefilter', () => {
  it('finds keywords case-insensitively, including overlapping ones', () => {
    const pf = new KeywordPrefilter(['akia', 'key', 'secret_key', 'private key']);
    expect([...pf.search(Buffer.from('my SECRET_KEY and AKIA'))].sort()).toEqual([0, 1, 2]);
    expect([...pf.search(Buffer.from('-----BEGIN RSA PRIVATE KEY-----'))].sort()).toEqual([1, 3]);
    expect(pf.search(Buffer.from('nothing to see')).size).toBe(0);
  });

  it('agrees with a naive search on random text', () => {
    const words = ['ab', 'bab', 'abc', 'c', 'xyz'];
    const pf = new KeywordPrefilter(words);
    for (let i = 0; i < 50; i++) {
      const text = gen('abcxyzABC', 40);
      const naive = words.map((w, id) => (text.toLowerCase().includes(w) ? id : -1)).filter((x) => x >= 0);
      expect([...pf.search(Buffer.from(text))].sort()).toEqual(naive);
    }
  });
});

describe('text helpers', () => {
  it('masks all but a short prefix', () => {
    expect(maskSecret('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA****************');
    expect(maskSecret('hunter2')).toBe('h******');
    expect(maskSecret('ab')).toBe('**');
    expect(maskSecret('x'.repeat(500))).toHaveLength(4 + 32);
  });

  it('sniffs binary content', () => {
    expect(isBinary(Buffer.from('plain text\nwith lines\n'))).toBe(false);
    expect(isBinary(Buffer.from('héllo wörld'))).toBe(false);
    expect(isBinary(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]))).toBe(true);
    expect(isBinary(Buffer.from(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41))))).toBe(true);
  });

  it('recognises placeholders', () => {
    for (const p of ['${PASSWORD}', '$DB_PASS', '<password>', 'changeme', 'xxxxxx', '******', '{{ .Values.pw }}', '%(pw)s', 'your_password_here'])
      expect(isPlaceholder(p), p).toBe(true);
    for (const s of ['hunter2', 'Zq8#kL2pW', 'p4ssw0rd!x']) expect(isPlaceholder(s), s).toBe(false);
  });

  it('computes Shannon entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});

describe('private keys', () => {
  it.each([
    ['RSA PRIVATE KEY', ''],
    ['EC PRIVATE KEY', ''],
    ['DSA PRIVATE KEY', ''],
    ['OPENSSH PRIVATE KEY', ''],
    ['PRIVATE KEY', ''],
    ['ENCRYPTED PRIVATE KEY', ''],
    ['RSA PRIVATE KEY', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n'],
    ['PGP PRIVATE KEY BLOCK', 'Version: GnuPG v2\nComment: test\n\n'],
  ])('finds a %s block (headers: %j)', (label, headers) => {
    const found = scan(`key:\n${pem(label, headers)}`).matches;
    expect(found.map((m) => m.rule.id)).toEqual(['private-key']);
    expect(found[0]!.line).toBe(2);
    expect(found[0]!.masked).toMatch(/^-----BEGIN [A-Z ]+-----.*\*+ -----END [A-Z ]+-----$/);
  });

  it('ignores headers without a body, public keys and certificates', () => {
    expect(ids('static const char *h = "-----BEGIN OPENSSH PRIVATE KEY-----";\n')).toEqual([]);
    expect(ids('#define PEM "-----BEGIN RSA PRIVATE KEY-----\\n" body "-----END RSA PRIVATE KEY-----"\n')).toEqual([]);
    expect(ids(pem('PUBLIC KEY'))).toEqual([]);
    expect(ids(pem('CERTIFICATE'))).toEqual([]);
    expect(ids(`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${gen('abcdefABCDEF0123', 43)} user@host\n`)).toEqual([]);
  });
});

describe('decoys produce nothing', () => {
  it('AWS documentation example values in an ordinary text file', () => {
    const readme = [
      'Configure the CLI:',
      '  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
      '  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    ].join('\n');
    expect(ids(readme, '/app/README.md')).toEqual([]);
  });

  it('placeholders, UUIDs and references', () => {
    const text = [
      'password=${PASSWORD}',
      'DB_PASSWORD: <password>',
      'password = "changeme"',
      'api_key = xxxxxxxxxxxx',
      'secret: "***********"',
      'request_id = 123e4567-e89b-12d3-a456-426614174000',
      'password = os.environ["DB_PASSWORD"]',
      'def login(password: str) -> None:',
      'postgres://user:${PGPASS}@db/app',
    ].join('\n');
    expect(ids(text)).toEqual([]);
  });

  it('binary files are skipped by content sniffing', () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]), Buffer.from(`ghp_${gen('abcdefABCDEF0123', 36)}`)]);
    expect(scanner.scanFile('/usr/bin/tool', elf)).toEqual({ matches: [], skipped: 'binary' });
    expect(scanner.scanFile('/usr/lib/libunistring.so', Buffer.from('\0AKIAISLANDISSHARITAL'))).toMatchObject({ skipped: 'binary' });
  });

  it('documentation paths and oversized files are skipped', () => {
    const token = `ghp_${gen('abcdefABCDEF0123', 36)}`;
    expect(scanner.scanFile('/usr/share/doc/x/README', Buffer.from(token)).skipped).toBe('allowed-path');
    const small = new SecretScanner({ maxFileSize: 10 });
    expect(small.scanFile('/app/x', Buffer.from(token)).skipped).toBe('too-large');
    expect(scanner.scanFile('/app/x', Buffer.from(token)).matches).toHaveLength(1);
  });
});

describe('scanner behaviour', () => {
  it('reports line numbers of each match', () => {
    const t1 = `ghp_${gen('abcdefABCDEF0123', 36)}`;
    const t2 = `glpat-${gen('abcdefABCDEF0123', 20)}`;
    const found = scan(`a\nb\n${t1}\nc\n\nd ${t2}\n`).matches;
    expect(found.map((m) => [m.rule.id, m.line])).toEqual([
      ['github-pat', 3],
      ['gitlab-pat', 6],
    ]);
  });

  it('reports one finding for bytes two rules match (the more specific rule)', () => {
    const token = `npm_${gen('abcdefABCDEF0123', 36)}`;
    const found = scan(`//registry.npmjs.org/:_authToken=${token}\n`, '/root/.npmrc').matches;
    expect(found.map((m) => m.rule.id)).toEqual(['npm-access-token']);
  });

  it('never puts the secret in the masked match', () => {
    const secret = gen('abcdefABCDEF0123', 20);
    const found = scan(`db_password = "${secret}"`).matches;
    expect(found).toHaveLength(1);
    expect(found[0]!.masked).toBe(`db_password = "${secret.slice(0, 4)}${'*'.repeat(16)}"`);
  });

  it('honours disabled rules and extra allow lists', () => {
    const token = `ghp_${gen('abcdefABCDEF0123', 36)}`;
    expect(new SecretScanner({ disabledRules: ['github-pat'] }).scanFile('/a', Buffer.from(token)).matches).toEqual([]);
    expect(new SecretScanner({ allowValues: ['^ghp_'] }).scanFile('/a', Buffer.from(token)).matches).toEqual([]);
    expect(new SecretScanner({ allowPaths: ['^/fixtures/'] }).scanFile('/fixtures/a', Buffer.from(token)).skipped).toBe('allowed-path');
  });

  it('bounds the number of matches per rule', () => {
    const many = Array.from({ length: 500 }, () => `ghp_${gen('abcdefABCDEF0123', 36)}`).join('\n');
    expect(scan(many).matches.length).toBeLessThanOrEqual(50);
  });
});
