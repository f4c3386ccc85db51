/** Per-project webhooks: subscriptions (project administrators) and their recent deliveries. */
import { z } from 'zod/v4';
import { WEBHOOK_EVENTS, WebhookError, type Delivery, type Webhook, type WebhookServices } from '../../webhooks/index.js';
import { auditAction, requireProjectAdmin } from './context.js';
import { ApiError, notFound, parse } from './errors.js';
import { param } from './route.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { ErrorBody } from './schemas.js';

function webhookServices(deps: ApiDeps): Pick<WebhookServices, 'store'> {
  const services = deps.webhooks;
  if (!services) throw ApiError.of(503, 'INTERNAL', 'webhooks are not configured on this server');
  return services;
}

async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WebhookError) throw ApiError.of(err.code === 'NOT_FOUND' ? 404 : 400, err.code, err.code === 'NOT_FOUND' ? `${err.message} not found` : err.message, err.field);
    throw err;
  }
}

const EventList = z.array(z.enum(WEBHOOK_EVENTS)).min(1).describe(`events to receive: ${WEBHOOK_EVENTS.join(', ')}`);
const Url = z.string().max(2048).describe('http(s) URL the events are POSTed to');
const Secret = z.string().min(16).max(256).describe('HMAC-SHA256 key (generated when absent); shown in this answer only');

const CreateWebhookBody = z.object({ url: Url, events: EventList, enabled: z.boolean().default(true), secret: Secret.optional() }).strict();
const UpdateWebhookBody = z
  .object({
    url: Url.optional(),
    events: EventList.optional(),
    enabled: z.boolean().optional(),
    secret: Secret.optional().describe('a new secret'),
    rotate_secret: z.boolean().optional().describe('generate a new secret (returned in this answer only)'),
  })
  .strict();

const WebhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  enabled: z.boolean(),
  secret_hint: z.string().describe('fingerprint of the secret (never the secret)'),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
const WebhookWithSecret = WebhookView.extend({ secret: z.string().describe('the signing secret: shown once, keep it') });
const WebhookMaybeSecret = WebhookView.extend({ secret: z.string().optional().describe('the new signing secret, when it changed') });

const DeliveryView = z.object({
  id: z.string().describe('sent as X-Portcullis-Delivery'),
  event: z.enum(WEBHOOK_EVENTS),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  last_status: z.number().int().nullable().describe('HTTP status of the last attempt; null after a network error or before the first'),
  last_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const webhookView = (w: Webhook): z.output<typeof WebhookView> => ({
  id: w.id,
  url: w.url,
  events: w.events,
  enabled: w.enabled,
  secret_hint: w.secretHint,
  created_by: w.createdBy,
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
});

const deliveryView = (d: Delivery): z.output<typeof DeliveryView> => ({
  id: d.id,
  event: d.event,
  state: d.state,
  attempts: d.attempts,
  last_status: d.lastStatus ?? null,
  last_error: d.lastError ?? null,
  created_at: d.createdAt.toISOString(),
  updated_at: d.updatedAt.toISOString(),
});

const invalid = { status: 400, description: 'invalid field (named in `field`)', schema: ErrorBody };
const missing = { status: 404, description: 'no such webhook', schema: ErrorBody };
const unconfigured = { status: 503, description: 'webhooks are not configured on this server', schema: ErrorBody };

export const WEBHOOK_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects/:project/webhooks', operationId: 'listWebhooks', tag: 'webhooks', access: 'project-admin',
    summary: "The project's webhooks (secrets are never shown again)",
    responses: [{ status: 200, description: 'webhooks', schema: z.array(WebhookView) }, unconfigured],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      return (await webhookServices(deps).store.list(project.id)).map(webhookView);
    },
  },
  {
    method: 'POST', path: '/projects/:project/webhooks', operationId: 'createWebhook', tag: 'webhooks', access: 'project-admin', body: CreateWebhookBody,
    summary: 'Subscribe a URL to events of the project; deliveries are signed `X-Portcullis-Signature: sha256=<hex HMAC-SHA256 of the body>`',
    responses: [{ status: 201, description: 'created; the answer carries the secret, this once', schema: WebhookWithSecret }, invalid, unconfigured],
    async handler(req, reply, deps) {
      const { project, user } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const services = webhookServices(deps);
      const body = parse(CreateWebhookBody, req.body, 'body');
      const { webhook, secret } = await storeCall(() =>
        services.store.create(project.id, { url: body.url, events: body.events, enabled: body.enabled, ...(body.secret !== undefined ? { secret: body.secret } : {}), createdBy: user.name }),
      );
      await auditAction(req, deps.auth, 'webhook.create', { detail: { project: project.name, id: webhook.id, url: webhook.url, events: webhook.events } });
      return reply.code(201).send({ ...webhookView(webhook), secret });
    },
  },
  {
    method: 'GET', path: '/projects/:project/webhooks/:id', operationId: 'getWebhook', tag: 'webhooks', access: 'project-admin',
    summary: 'One webhook',
    responses: [{ status: 200, description: 'the webhook', schema: WebhookView }, missing, unconfigured],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const w = await webhookServices(deps).store.get(project.id, param(req, 'id'));
      if (!w) throw notFound(`webhook ${param(req, 'id')}`);
      return webhookView(w);
    },
  },
  {
    method: 'PATCH', path: '/projects/:project/webhooks/:id', operationId: 'updateWebhook', tag: 'webhooks', access: 'project-admin', body: UpdateWebhookBody,
    summary: 'Change the URL, events or enabled flag, or replace the secret',
    responses: [{ status: 200, description: 'the webhook (with the new secret when it changed)', schema: WebhookMaybeSecret }, invalid, missing, unconfigured],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const services = webhookServices(deps);
      const body = parse(UpdateWebhookBody, req.body, 'body');
      if (body.secret !== undefined && body.rotate_secret) throw ApiError.of(400, 'INVALID', 'give a secret or rotate_secret, not both', 'rotate_secret');
      const secret = body.secret ?? (body.rotate_secret ? true : undefined);
      const { webhook, secret: newSecret } = await storeCall(() =>
        services.store.update(project.id, param(req, 'id'), {
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.events !== undefined ? { events: body.events } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(secret !== undefined ? { secret } : {}),
        }),
      );
      await auditAction(req, deps.auth, 'webhook.update', {
        detail: { project: project.name, id: webhook.id, url: webhook.url, events: webhook.events, enabled: webhook.enabled, secretChanged: newSecret !== undefined },
      });
      return { ...webhookView(webhook), ...(newSecret !== undefined ? { secret: newSecret } : {}) };
    },
  },
  {
    method: 'DELETE', path: '/projects/:project/webhooks/:id', operationId: 'deleteWebhook', tag: 'webhooks', access: 'project-admin',
    summary: 'Remove a webhook and its delivery history (queued deliveries are dropped)',
    responses: [{ status: 204, description: 'removed' }, missing, unconfigured],
    async handler(req, reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const id = param(req, 'id');
      await storeCall(() => webhookServices(deps).store.delete(project.id, id));
      await auditAction(req, deps.auth, 'webhook.delete', { detail: { project: project.name, id } });
      return reply.code(204).send();
    },
  },
  {
    method: 'GET', path: '/projects/:project/webhooks/:id/deliveries', operationId: 'listWebhookDeliveries', tag: 'webhooks', access: 'project-admin', query: DeliveriesQuery,
    summary: 'The most recent deliveries of a webhook, newest first, with their state and last HTTP status',
    responses: [{ status: 200, description: 'deliveries', schema: z.array(DeliveryView) }, invalid, missing, unconfigured],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const services = webhookServices(deps);
      const { limit } = parse(DeliveriesQuery, req.query, 'query');
      const w = await services.store.get(project.id, param(req, 'id'));
      if (!w) throw notFound(`webhook ${param(req, 'id')}`);
      return (await services.store.deliveries(w.id, limit)).map(deliveryView);
    },
  },
];
