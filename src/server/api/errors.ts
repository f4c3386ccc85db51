/** Error bodies of /api/v1: always `{errors:[{code,message,field?}]}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod/v4';
import { IdentityError } from '../../identity/errors.js';

export type ApiErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'INTERNAL';

export interface ApiErrorEntry {
  code: ApiErrorCode;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly entries: ApiErrorEntry[],
    readonly headers: Record<string, string> = {},
  ) {
    super(entries.map((e) => e.message).join('; '));
    this.name = 'ApiError';
  }

  static of(status: number, code: ApiErrorCode, message: string, field?: string): ApiError {
    return new ApiError(status, [{ code, message, ...(field ? { field } : {}) }]);
  }
}

export const notFound = (what: string): ApiError => ApiError.of(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'not allowed'): ApiError => ApiError.of(403, 'FORBIDDEN', message);

/** Parses with zod; every issue becomes an INVALID entry naming its field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new ApiError(
    400,
    result.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.');
      return { code: 'INVALID' as const, message: issue.message, ...(field ? { field } : { field: where }) };
    }),
  );
}

const IDENTITY_STATUS = { NOT_FOUND: 404, CONFLICT: 409, INVALID: 400 } as const;

export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return reply.code(error.status).headers(error.headers).send({ errors: error.entries });
  if (error instanceof IdentityError) {
    return reply.code(IDENTITY_STATUS[error.code]).send({ errors: [{ code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }] });
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // fastify's own client errors (bad JSON, body too large, wrong content type).
    return reply.code(status).send({ errors: [{ code: status === 404 ? 'NOT_FOUND' : 'INVALID', message: error.message }] });
  }
  req.log.error({ err: error }, 'api request failed');
  return reply.code(500).send({ errors: [{ code: 'INTERNAL', message: 'internal error' }] });
}
