/** The OpenAPI 3.1 document of /api/v1, generated from the route table and its zod schemas. */
import { z } from 'zod/v4';
import type { ApiRoute } from './route.js';
import { ErrorBody } from './schemas.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** `/users/:name` → `/users/{name}` and the path parameter names. */
export function openapiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const out = path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: out, params };
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'invalid input',
  '401': 'authentication required or failed',
  '403': 'not allowed',
  '404': 'not found (or not visible to the caller)',
};

function operation(route: ApiRoute, params: string[]): Json {
  const parameters: Json[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (route.query) {
    const q = jsonSchema(route.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: 'query',
        required: (q.required ?? []).includes(name) && !('default' in schema),
        schema: rest,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  }
  const responses: Json = {};
  for (const r of route.responses) {
    const headers = r.paged
      ? {
          'X-Total-Count': { description: 'number of items over all pages', schema: { type: 'integer' } },
          Link: { description: 'RFC 8288 links: next, prev, first, last', schema: { type: 'string' } },
        }
      : undefined;
    responses[String(r.status)] = {
      description: r.description,
      ...(headers ? { headers } : {}),
      ...(r.schema ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : {}),
    };
  }
  const errors = route.method === 'GET' ? ERROR_RESPONSES : { ...ERROR_RESPONSES, '409': 'conflicts with the current state' };
  for (const [status, description] of Object.entries(errors)) {
    if (route.access === 'public' && (status === '401' || status === '403')) continue;
    responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    'x-access': route.access,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses,
    security: route.access === 'public' ? [{}, { basicAuth: [] }, { bearerAuth: [] }] : [{ basicAuth: [] }, { bearerAuth: [] }],
  };
}

export function openapiDocument(routes: readonly ApiRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const { path, params } = openapiPath(route.path);
    const item = (paths[`/api/v1${path}`] ??= {});
    item[route.method.toLowerCase()] = operation(route, params);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis management API',
      version,
      description: 'Users, projects, members, robot accounts and the audit trail. Errors are always {errors:[{code,message,field?}]}.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: 'user name and password, or a robot name and secret' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the identity (refresh) token from `docker login` / POST /token' },
      },
    },
  };
}
