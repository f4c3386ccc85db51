/** Syslog over TCP: RFC 5424 messages with RFC 6587 octet-counting framing. */
import { hostname } from 'node:os';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AuditEvent, Outcome } from '../event.js';
import type { AuditSink } from '../sink.js';
import type { Checkpoint } from '../store.js';

export interface SyslogSinkOptions {
  host: string;
  port: number;
  /** Syslog facility number (default 13, "log audit"). */
  facility?: number;
  appName?: string;
  hostname?: string;
  /** Writes waiting for the connection beyond this many are refused (bounded memory). */
  maxQueue?: number;
  connectTimeoutMs?: number;
}

/** The private enterprise number reserved for documentation (RFC 5612), used in SD-IDs. */
const SD_ID = 'portcullis@32473';

const SEVERITY: Record<Outcome, number> = { success: 6, failure: 4, denied: 4, error: 3 };

/** PRINTUSASCII only, as RFC 5424 requires of header fields; `-` for empty. */
function headerField(value: string | null | undefined, max: number): string {
  const clean = (value ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

function sdValue(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function structuredData(params: Record<string, string | number | null>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== null)
    .map(([k, v]) => `${k}="${sdValue(String(v))}"`);
  return `[${SD_ID} ${parts.join(' ')}]`;
}

export interface SyslogFormat {
  facility: number;
  appName: string;
  hostname: string;
  procId: string;
}

export function formatEvent(event: AuditEvent, f: SyslogFormat): string {
  const pri = f.facility * 8 + SEVERITY[event.outcome];
  const sd = structuredData({ seq: event.seq, hash: event.hash, outcome: event.outcome, actor: event.actorName, repository: event.repository });
  return `<${pri}>1 ${event.time} ${headerField(f.hostname, 255)} ${headerField(f.appName, 48)} ${headerField(f.procId, 128)} ${headerField(event.action, 32)} ${sd} ${JSON.stringify(event)}`;
}

export function formatCheckpoint(cp: Checkpoint, f: SyslogFormat): string {
  const pri = f.facility * 8 + 5;
  const sd = structuredData({ seq: cp.seq, hash: cp.hash, keyId: cp.keyId });
  return `<${pri}>1 ${cp.time} ${headerField(f.hostname, 255)} ${headerField(f.appName, 48)} ${headerField(f.procId, 128)} audit.checkpoint ${sd} ${JSON.stringify(cp)}`;
}

/** RFC 6587 octet counting: the message length in bytes, a space, the message. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export class SyslogSink implements AuditSink {
  readonly name = 'syslog';
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly format: SyslogFormat;

  constructor(private readonly options: SyslogSinkOptions) {
    this.format = {
      facility: options.facility ?? 13,
      appName: options.appName ?? 'portcullis',
      hostname: options.hostname ?? hostname(),
      procId: String(process.pid),
    };
  }

  write(event: AuditEvent): Promise<void> {
    return this.send(formatEvent(event, this.format));
  }

  writeCheckpoint(checkpoint: Checkpoint): Promise<void> {
    return this.send(formatCheckpoint(checkpoint, this.format));
  }

  async close(): Promise<void> {
    await this.tail;
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) await new Promise<void>((r) => s.end(r));
  }

  private send(message: string): Promise<void> {
    if (this.queued >= (this.options.maxQueue ?? 10_000)) {
      return Promise.reject(new Error('syslog queue full: event not forwarded'));
    }
    this.queued += 1;
    const run = this.tail.then(() => this.writeWithRetry(frame(message))).finally(() => {
      this.queued -= 1;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One reconnect: a collector restart costs a new connection, not the event. */
  private async writeWithRetry(data: Buffer): Promise<void> {
    try {
      await this.writeOnce(data);
    } catch {
      this.drop();
      await this.writeOnce(data);
    }
  }

  private async writeOnce(data: Buffer): Promise<void> {
    const socket = await this.connected();
    await new Promise<void>((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connected(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.options.host, port: this.options.port });
      s.setTimeout(this.options.connectTimeoutMs ?? 5000, () => s.destroy(new Error('syslog connect timeout')));
      s.once('connect', () => {
        s.setTimeout(0);
        s.on('error', () => this.drop());
        s.on('close', () => {
          if (this.socket === s) this.socket = undefined;
        });
        this.socket = s;
        resolve(s);
      });
      s.once('error', reject);
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}
