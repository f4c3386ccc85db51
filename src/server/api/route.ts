/** One /api/v1 endpoint, described as data: the plugin registers it and the OpenAPI document lists it. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod/v4';
import type { AuditLog } from '../../audit/log.js';
import type { CheckpointVerifier } from '../../audit/signing.js';
import type { AuthService } from '../auth/service.js';

export interface ApiDeps {
  auth: AuthService;
  /** The audit log, for the /audit endpoints. */
  audit: AuditLog;
  /** Keys audit checkpoints may be signed with (the server key, plus retired ones). */
  auditVerifiers: CheckpointVerifier[];
}

export type Access = 'public' | 'user' | 'admin' | 'project-visible' | 'project-admin' | 'admin-or-self';

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
