/** Webhook subscriptions and their delivery history in the metadata database. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Generated, Kysely, Selectable } from 'kysely';
import { secretHint, type SecretBox } from './secret-box.js';
import { WEBHOOK_EVENTS, type Delivery, type DeliveryState, type Webhook, type WebhookEventType } from './types.js';

export interface WebhookTables {
  webhooks: {
    id: string;
    project_id: string;
    url: string;
    secret_sealed: string;
    secret_hint: string;
    events: string;
    enabled: number;
    created_by: string;
    created_at: number | string;
    updated_at: number | string;
  };
  webhook_deliveries: {
    seq: Generated<number>;
    id: string;
    webhook_id: string;
    event: string;
    body: string;
    state: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    created_at: number | string;
    updated_at: number | string;
  };
  projects: { id: string; name: string };
}

export class WebhookError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'INVALID',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export const MAX_URL_LENGTH = 2048;
export const MIN_SECRET_LENGTH = 16;

/** Checks a receiver URL: absolute http(s), no fragment. Returns it normalised. */
export function validateWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookError('INVALID', 'not an absolute URL', 'url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebhookError('INVALID', 'webhook URLs are http or https', 'url');
  if (parsed.hash) throw new WebhookError('INVALID', 'a webhook URL has no fragment', 'url');
  // URLs show up in listings, audit details and error messages; the HMAC secret authenticates deliveries.
  if (parsed.username || parsed.password) throw new WebhookError('INVALID', 'no credentials in a webhook URL: receivers check the signature', 'url');
  if (url.length > MAX_URL_LENGTH) throw new WebhookError('INVALID', `at most ${MAX_URL_LENGTH} characters`, 'url');
  return parsed.toString();
}

function validateEvents(events: readonly string[]): WebhookEventType[] {
  const bad = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (bad.length > 0) throw new WebhookError('INVALID', `unknown event ${bad.join(', ')}; use ${WEBHOOK_EVENTS.join(', ')}`, 'events');
  if (events.length === 0) throw new WebhookError('INVALID', 'subscribe to at least one event', 'events');
  return WEBHOOK_EVENTS.filter((e) => events.includes(e));
}

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

type WebhookRow = Selectable<WebhookTables['webhooks']>;
type DeliveryRow = Selectable<WebhookTables['webhook_deliveries']>;

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  projectId: r.project_id,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEventType[],
  enabled: Number(r.enabled) === 1,
  secretHint: r.secret_hint,
  createdBy: r.created_by,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  event: r.event as WebhookEventType,
  state: r.state as DeliveryState,
  attempts: Number(r.attempts),
  ...(r.last_status !== null ? { lastStatus: Number(r.last_status) } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

export interface NewWebhook {
  url: string;
  events: readonly string[];
  enabled?: boolean;
  /** Generated when absent. */
  secret?: string;
  createdBy: string;
}

export interface WebhookChanges {
  url?: string;
  events?: readonly string[];
  enabled?: boolean;
  /** A new secret given by the caller, or `true` for a generated one. */
  secret?: string | true;
}

export interface StoreOptions {
  /** Deliveries kept per webhook (older ones are dropped as new ones come). */
  keepDeliveries?: number;
  now?: () => number;
}

export class WebhookStore {
  private readonly db: Kysely<WebhookTables>;
  private readonly keep: number;
  private readonly now: () => number;

  constructor(
    // The shared metadata database, typed for its own tables by each module.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    private readonly box: SecretBox,
    opts: StoreOptions = {},
  ) {
    this.db = db as Kysely<WebhookTables>;
    this.keep = opts.keepDeliveries ?? 50;
    this.now = opts.now ?? Date.now;
  }

  private checkSecret(secret: string): string {
    if (secret.length < MIN_SECRET_LENGTH || secret.length > 256) throw new WebhookError('INVALID', `a secret has ${MIN_SECRET_LENGTH} to 256 characters`, 'secret');
    return secret;
  }

  /** Creates a subscription; the secret is returned this once. */
  async create(projectId: string, input: NewWebhook): Promise<{ webhook: Webhook; secret: string }> {
    const url = validateWebhookUrl(input.url);
    const events = validateEvents(input.events);
    const secret = input.secret !== undefined ? this.checkSecret(input.secret) : generateSecret();
    const t = this.now();
    const row: WebhookRow = {
      id: randomUUID(),
      project_id: projectId,
      url,
      secret_sealed: this.box.seal(secret),
      secret_hint: secretHint(secret),
      events: JSON.stringify(events),
      enabled: input.enabled === false ? 0 : 1,
      created_by: input.createdBy,
      created_at: t,
      updated_at: t,
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return { webhook: toWebhook(row), secret };
  }

  async list(projectId: string): Promise<Webhook[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toWebhook);
  }

  async get(projectId: string, id: string): Promise<Webhook | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return row ? toWebhook(row) : undefined;
  }

  private async require(projectId: string, id: string): Promise<Webhook> {
    const w = await this.get(projectId, id);
    if (!w) throw new WebhookError('NOT_FOUND', `webhook ${id}`);
    return w;
  }

  /** Applies the changes; a new secret (when asked for) is returned this once. */
  async update(projectId: string, id: string, changes: WebhookChanges): Promise<{ webhook: Webhook; secret?: string }> {
    await this.require(projectId, id);
    const set: Partial<WebhookRow> = { updated_at: this.now() };
    if (changes.url !== undefined) set.url = validateWebhookUrl(changes.url);
    if (changes.events !== undefined) set.events = JSON.stringify(validateEvents(changes.events));
    if (changes.enabled !== undefined) set.enabled = changes.enabled ? 1 : 0;
    let secret: string | undefined;
    if (changes.secret !== undefined) {
      secret = changes.secret === true ? generateSecret() : this.checkSecret(changes.secret);
      set.secret_sealed = this.box.seal(secret);
      set.secret_hint = secretHint(secret);
    }
    await this.db.updateTable('webhooks').set(set).where('project_id', '=', projectId).where('id', '=', id).execute();
    const webhook = await this.require(projectId, id);
    return secret !== undefined ? { webhook, secret } : { webhook };
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.require(projectId, id);
    // Deliveries go first: not every SQLite connection enforces the cascade.
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      await tx.deleteFrom('webhooks').where('id', '=', id).execute();
    });
  }

  /** Enabled subscriptions of the project (by name) to this event type. */
  async subscribers(projectName: string, event: WebhookEventType): Promise<Webhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .innerJoin('projects', 'projects.id', 'webhooks.project_id')
      .selectAll('webhooks')
      .where('projects.name', '=', projectName)
      .where('webhooks.enabled', '=', 1)
      .orderBy('webhooks.created_at')
      .orderBy('webhooks.id')
      .execute();
    return rows.map(toWebhook).filter((w) => w.events.includes(event));
  }

  /** Records a delivery about to be queued (its id is chosen here); drops the oldest beyond the history size. */
  async createDelivery(webhookId: string, event: WebhookEventType, bodyFor: (id: string) => string): Promise<Delivery> {
    const t = this.now();
    const id = randomUUID();
    const body = bodyFor(id);
    await this.db
      .insertInto('webhook_deliveries')
      .values({ id, webhook_id: webhookId, event, body, state: 'pending', attempts: 0, last_status: null, last_error: null, created_at: t, updated_at: t })
      .execute();
    const cutoff = await this.db
      .selectFrom('webhook_deliveries')
      .select('seq')
      .where('webhook_id', '=', webhookId)
      .orderBy('seq', 'desc')
      .offset(this.keep)
      .limit(1)
      .executeTakeFirst();
    if (cutoff) await this.db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).where('seq', '<=', cutoff.seq).execute();
    return { id, webhookId, event, state: 'pending', attempts: 0, createdAt: new Date(t), updatedAt: new Date(t) };
  }

  /** What the delivery worker needs: the body, where to send it and the secret to sign it with. */
  async deliveryTarget(id: string): Promise<{ delivery: Delivery; body: string; url: string; secret: string; enabled: boolean } | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
      .selectAll('webhook_deliveries')
      .select(['webhooks.url', 'webhooks.secret_sealed', 'webhooks.enabled'])
      .where('webhook_deliveries.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return { delivery: toDelivery(row), body: row.body, url: row.url, secret: this.box.open(row.secret_sealed), enabled: Number(row.enabled) === 1 };
  }

  async recordAttempt(id: string, outcome: { state: DeliveryState; attempts: number; status?: number; error?: string }): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        last_status: outcome.status ?? null,
        last_error: outcome.error?.slice(0, 1000) ?? null,
        updated_at: this.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** The most recent deliveries of a webhook, newest first. */
  async deliveries(webhookId: string, limit = 50): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(toDelivery);
  }
}
