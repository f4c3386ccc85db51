/** Every audit sink, explicitly. The database chain is always on; these are the copies kept elsewhere. */
import { z } from 'zod';
import type { AuditSink } from '../sink.js';
import { JsonlSink } from './jsonl.js';
import type { JsonlSinkOptions } from './jsonl.js';
import { SyslogSink } from './syslog.js';
import type { SyslogSinkOptions } from './syslog.js';
import { WebhookSink } from './webhook.js';
import type { WebhookSinkOptions } from './webhook.js';

export type SinkConfig =
  | ({ type: 'jsonl' } & JsonlSinkOptions)
  | ({ type: 'syslog' } & SyslogSinkOptions)
  | ({ type: 'webhook' } & WebhookSinkOptions);

export const SINK_TYPES = ['jsonl', 'syslog', 'webhook'] as const;

export function createSink(config: SinkConfig): AuditSink {
  switch (config.type) {
    case 'jsonl':
      return new JsonlSink(config);
    case 'syslog':
      return new SyslogSink(config);
    case 'webhook':
      return new WebhookSink(config);
  }
}

export function createSinks(configs: readonly SinkConfig[]): AuditSink[] {
  return configs.map(createSink);
}

export { JsonlSink, SyslogSink, WebhookSink };

/** Validation of the sink list in the server configuration (field-level messages). */
export const sinkConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('jsonl'),
      path: z.string().min(1),
      maxBytes: z.number().int().min(1024).optional(),
      maxFiles: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('syslog'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65_535),
      facility: z.number().int().min(0).max(23).optional(),
      appName: z.string().min(1).max(48).optional(),
      hostname: z.string().min(1).max(255).optional(),
      maxQueue: z.number().int().min(1).optional(),
      connectTimeoutMs: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('webhook'),
      url: z.string().url(),
      secret: z.string().min(16, 'use a webhook secret of at least 16 characters'),
      maxAttempts: z.number().int().min(1).max(20).optional(),
      backoffMs: z.number().int().min(1).optional(),
      timeoutMs: z.number().int().min(1).optional(),
    })
    .strict(),
]);
