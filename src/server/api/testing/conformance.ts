import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { openapiPath } from '../openapi.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any */

/**
 * Calls /api/v1 routes with inject and checks every answer against the OpenAPI document: the
 * route and status are documented, and a JSON body matches its schema. `doc` is read at each call
 * so suites can load it in beforeAll.
 */
export function openapiChecker(app: () => FastifyInstance, doc: () => any) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);

  function conforms(method: Method, routePath: string, res: LightMyRequestResponse): void {
    const d = doc();
    const op = d.paths[`/api/v1${openapiPath(routePath).path}`]?.[method.toLowerCase()];
    expect(op, `${method} ${routePath} documented`).toBeDefined();
    const response = op.responses[String(res.statusCode)];
    expect(response, `${method} ${routePath} documents status ${res.statusCode}: ${res.body}`).toBeDefined();
    let schema = response.content?.['application/json']?.schema;
    if (!schema) return;
    if (schema.$ref) schema = d.components.schemas.Error;
    const validate = ajv.compile(schema);
    expect(validate(res.json()), `${method} ${routePath} ${res.statusCode}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }

  async function call(method: Method, routePath: string, url: string, headers: Record<string, string>, payload?: unknown): Promise<LightMyRequestResponse> {
    const res = await app().inject({ method, url: `/api/v1${url}`, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    conforms(method, routePath, res);
    return res;
  }

  return { ajv, conforms, call };
}
