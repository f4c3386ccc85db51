/**
 * Webhook secrets must be recoverable (they sign every delivery), so they are sealed with a
 * server-side key (AES-256-GCM) rather than hashed: a copy of the database alone does not reveal them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the webhook secret key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined) throw new Error('unrecognised sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** What the API shows instead of a secret: a short fingerprint, to tell which secret is configured. */
export function secretHint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}

export const WEBHOOK_KEY_FILE = 'webhook-secret.key';

/**
 * The server's webhook key from `<dataDir>/webhook-secret.key` (hex), created (mode 0600) on first
 * use. Every `serve` process of one installation must share it (same data directory or file).
 */
export async function loadOrCreateWebhookKey(dataDir: string, file = join(dataDir, WEBHOOK_KEY_FILE)): Promise<SecretBox> {
  try {
    const hex = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a 32-byte hex key`);
    return new SecretBox(Buffer.from(hex, 'hex'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true });
  const key = randomBytes(32);
  // Written aside, then linked into place: a process starting at the same time sees either no
  // file or the whole key, and the loser of the race reads the winner's.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${key.toString('hex')}\n`, { mode: 0o600 });
  try {
    await chmod(tmp, 0o600);
    await link(tmp, file);
    return new SecretBox(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadOrCreateWebhookKey(dataDir, file);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
