import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/net.js';
import { GENESIS_HASH, sealEvent } from '../event.js';
import type { AuditEvent } from '../event.js';
import { JsonlSink } from './jsonl.js';
import { SyslogSink, formatEvent, frame } from './syslog.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSink, webhookSignature } from './webhook.js';

function events(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = sealEvent(
      { actor: { type: 'user', name: 'alice' }, action: 'image.push', repository: 'proj/app', tag: `v${i}`, outcome: i === 2 ? 'denied' : 'success', reasons: i === 2 ? ['secret "aws key" in /etc/x'] : [] },
      i,
      prev,
      new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    );
    out.push(e);
    prev = e.hash;
  }
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-sinks-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('JsonlSink', () => {
  it('writes one JSON object per line and rotates by size, keeping maxFiles', async () => {
    const path = join(dir, 'jsonl', 'audit.jsonl');
    const sink = new JsonlSink({ path, maxBytes: 1500, maxFiles: 2 });
    const all = events(12);
    for (const e of all) await sink.write(e);
    await sink.close();
    const files = (await readdir(join(dir, 'jsonl'))).sort();
    expect(files).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    const lines: { seq: number; type: string }[] = [];
    for (const f of ['audit.jsonl.2', 'audit.jsonl.1', 'audit.jsonl']) {
      const text = await readFile(join(dir, 'jsonl', f), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1500);
      for (const line of text.trim().split('\n')) lines.push(JSON.parse(line));
    }
    const seqs = lines.map((l) => l.seq);
    // The oldest files were dropped; what is kept is the contiguous newest tail.
    expect(seqs.at(-1)).toBe(12);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 12 - seqs.length + 1 + i));
    expect(seqs.length).toBeLessThan(12);
    expect(lines[0]!.type).toBe('event');
  });
});

describe('syslog framing', () => {
  it('formats RFC 5424 with structured data and octet-counts in bytes', () => {
    const e = events(2)[1]!;
    const msg = formatEvent(e, { facility: 13, appName: 'portcullis', hostname: 'host one', procId: '42' });
    expect(msg.startsWith(`<108>1 ${e.time} host_one portcullis 42 image.push [portcullis@32473 seq="2" hash="${e.hash}" outcome="denied" actor="alice" repository="proj/app"] {`)).toBe(true);
    const framed = frame('é');
    expect(framed.toString('utf8')).toBe('2 é');
  });
});

describe('SyslogSink against a real rsyslogd', () => {
  let proc: ChildProcess | undefined;
  let out: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    out = join(dir, 'rsyslog-out.log');
    const conf = join(dir, 'rsyslog.conf');
    await writeFile(
      conf,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imtcp")',
        `input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="audit")`,
        'template(name="fields" type="string" string="%syslogfacility%|%syslogseverity%|%app-name%|%msgid%|%structured-data%|%msg%\\n")',
        `ruleset(name="audit") { action(type="omfile" file="${out}" template="fields") }`,
      ].join('\n'),
    );
    proc = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], { stdio: 'ignore' });
    // Ready once it accepts connections.
    const { connect } = await import('node:net');
    for (let i = 0; i < 200; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = connect({ host: '127.0.0.1', port }, () => {
          s.end();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('rsyslogd did not start');
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });

  it('delivers every event intact, one syslog record each', async () => {
    const sink = new SyslogSink({ host: '127.0.0.1', port, appName: 'portcullis' });
    const all = events(5);
    // A message with a newline inside must not split the record (octet counting, not LF framing).
    all[2] = { ...all[2]!, reasons: ['line one\nline two'] };
    for (const e of all) await sink.write(e);
    await sink.close();
    let lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = await readFile(out, 'utf8').catch(() => '');
      lines = text.split('\n').filter(Boolean);
      if (lines.length >= 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines).toHaveLength(5);
    const [facility, severity, app, msgid, sd] = lines[1]!.split('|');
    expect([facility, severity, app, msgid]).toEqual(['13', '4', 'portcullis', 'image.push']);
    expect(sd).toContain(`seq="2" hash="${all[1]!.hash}"`);
    const body = JSON.parse(lines[0]!.split('|').slice(5).join('|'));
    expect(body).toEqual(all[0]);
    expect(lines[2]).toContain('line one');
  });
});

describe('WebhookSink', () => {
  let server: Server;
  let url: string;
  let received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failFirst = 0;

  beforeAll(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failFirst > 0) {
          failFirst -= 1;
          res.statusCode = 503;
        } else res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    url = `http://127.0.0.1:${port}/hook`;
  });
  afterEach(() => {
    received = [];
    failFirst = 0;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('signs the body with HMAC-SHA256 over timestamp and body', async () => {
    const sink = new WebhookSink({ url, secret: 's3cret' });
    const e = events(1)[0]!;
    await sink.write(e);
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(JSON.parse(got.body)).toEqual(e);
    const ts = String(got.headers[TIMESTAMP_HEADER]);
    expect(got.headers[SIGNATURE_HEADER]).toBe(webhookSignature('s3cret', ts, got.body));
    expect(got.headers[SIGNATURE_HEADER]).not.toBe(webhookSignature('other', ts, got.body));
  });

  it('retries with backoff on 5xx and gives up after maxAttempts', async () => {
    failFirst = 2;
    const sink = new WebhookSink({ url, secret: 'k', backoffMs: 10, maxAttempts: 3 });
    await sink.write(events(1)[0]!);
    expect(received).toHaveLength(3);
    failFirst = 10;
    await expect(sink.write(events(1)[0]!)).rejects.toThrow(/HTTP 503/);
  });

  it('reports an unreachable receiver after its retries', async () => {
    const port = await freePort();
    const sink = new WebhookSink({ url: `http://127.0.0.1:${port}/`, secret: 'k', backoffMs: 5, maxAttempts: 2 });
    await expect(sink.write(events(1)[0]!)).rejects.toThrow(/webhook/);
  });
});
