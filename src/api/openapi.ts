import { z } from 'zod';
import { ErrorBodySchema } from './error-schema.js';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

/**
 * Collects every named schema (zod `.meta({ id })`) into `components/schemas`, so the document
 * says `$ref: '#/components/schemas/AIBridgeSession'` instead of repeating each shape inline.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  /** A route schema as JSON Schema, its named parts moved to the components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;
    const { definitions = {}, ...root } = json as { definitions?: Record<string, JsonSchema> };
    const names = new Map<string, string>();
    for (const [id, definition] of Object.entries(definitions)) {
      const existing = this.schemas[id];
      const clash = existing !== undefined && JSON.stringify(existing) !== JSON.stringify(definition);
      names.set(id, clash ? `${id}${io === 'input' ? 'Input' : 'Output'}` : id);
    }
    for (const [id, definition] of Object.entries(definitions)) {
      this.schemas[names.get(id) ?? id] = relink(definition, names) as JsonSchema;
    }
    return relink(root, names) as JsonSchema;
  }
}

/** Points `#/definitions/<id>` references at the components, under their final names. */
function relink(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => relink(item, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/definitions/')) {
        const id = item.slice('#/definitions/'.length);
        return [key, `#/components/schemas/${names.get(id) ?? id}`];
      }
      return [key, relink(item, names)];
    }),
  );
}

const toSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;

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

const errorResponse = (components: Components, description: string) => ({
  description,
  content: { 'application/json': { schema: components.convert(ErrorBodySchema, 'output') } },
});

/**
 * Builds the OpenAPI 3 document from the same route table and zod schemas the server uses
 * to validate requests, so the published contract is the enforced one.
 */
export function buildOpenApi(routes: AnyRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const components = new Components();
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
              content: { 'application/json': { schema: components.convert(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [success]: {
          description: route.responseDescription ?? 'OK',
          ...(route.response
            ? { content: { 'application/json': { schema: components.convert(route.response, 'output') } } }
            : {}),
          ...(route.produces ? { content: { [route.produces]: { schema: { type: 'string' } } } } : {}),
        },
        '400': errorResponse(components, 'Invalid parameters; `validations` lists each field.'),
        ...(route.auth === false
          ? {}
          : { '401': errorResponse(components, 'Missing, invalid or expired token.') }),
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
      schemas: components.schemas,
      securitySchemes: {
        CoderSessionToken: { type: 'apiKey', in: 'header', name: 'Coder-Session-Token' },
        BearerToken: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ CoderSessionToken: [] }, { BearerToken: [] }],
    paths,
  };
}
