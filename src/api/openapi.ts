import { z } from 'zod';
import { ErrorBodySchema } from './error-schema.js';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;

const toOutputSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;

/** The `properties` of an object schema, each a parameter of the operation. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: toOutputSchema(ErrorBodySchema) } },
});

/**
 * Builds the OpenAPI 3 document from the same route table and zod schemas the server uses
 * to validate requests, so the published contract is the enforced one.
 */
export function buildOpenApi(routes: AnyRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const success = String(route.status ?? 200);
    const operation = {
      summary: route.summary,
      tags: route.tags,
      ...(route.auth === false ? { security: [] } : {}),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body) } },
            },
          }
        : {}),
      responses: {
        [success]: {
          description: route.responseDescription ?? 'OK',
          ...(route.response
            ? { content: { 'application/json': { schema: toOutputSchema(route.response) } } }
            : {}),
        },
        '400': errorResponse('Invalid parameters; `validations` lists each field.'),
        ...(route.auth === false ? {} : { '401': errorResponse('Missing, invalid or expired token.') }),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'aibridge API',
      version,
      description:
        'Management API of aibridge, wire-compatible with Coder AI Bridge. Authenticate with the ' +
        '`Coder-Session-Token` header or `Authorization: Bearer <token>`.',
    },
    components: {
      securitySchemes: {
        CoderSessionToken: { type: 'apiKey', in: 'header', name: 'Coder-Session-Token' },
        BearerToken: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ CoderSessionToken: [] }, { BearerToken: [] }],
    paths,
  };
}
