/** One /api/v1 endpoint, described as data: the plugin registers it and the OpenAPI document lists it. */
import type { PolicyServices } from '../../policy/index.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod/v4';
import type { AuditLog } from '../../audit/log.js';
import type { CheckpointVerifier } from '../../audit/signing.js';
import type { AuthService } from '../auth/service.js';
import type { WebhookStore } from '../../webhooks/store.js';

export interface ApiDeps {
  auth: AuthService;
  /** The audit log, for the /audit endpoints. */
  audit: AuditLog;
  /** Keys audit checkpoints may be signed with (the server key, plus retired ones). */
  auditVerifiers: CheckpointVerifier[];
  /** Policies and trusted keys per project (absent: those endpoints answer 503). */
  policy?: PolicyServices;
  /** Per-project webhooks (absent: those endpoints answer 503). */
  webhooks?: { store: WebhookStore };
}

/**
 * Who may call a route (the end-to-end matrix test holds every route to API_MATRIX by this):
 * `public` anyone; `user` any account (robots too); `admin` system administrators;
 * `admin-or-self` administrators or the user named in the path; `project-visible` anyone who may
 * see the project (404 otherwise, like a missing one); `project-member` its members and
 * administrators; `project-admin` its project administrators and system administrators.
 */
export type Access = 'public' | 'user' | 'admin' | 'admin-or-self' | 'project-visible' | 'project-member' | 'project-admin';

export interface ApiResponse {
  status: number;
  description: string;
  schema?: z.ZodType;
  /** A list answer with X-Total-Count and Link headers. */
  paged?: boolean;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below /api/v1, fastify style (`/users/:name`). */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: ApiResponse[];
  handler(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<unknown>;
}

export function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}
