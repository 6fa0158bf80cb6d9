import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../auth/roles.js';
import { type Validation, validationFailed } from '../errors.js';
import { type ApiDeps, authenticateRequest } from './context.js';

/** What a handler receives: the caller and its inputs, already validated. */
interface RouteContext<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * A control-plane endpoint described once: the same zod schemas validate requests and
 * produce the OpenAPI document, so the docs cannot drift from what the server accepts.
 */
export interface Route<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, e.g. `/api/v2/users/{user}`. */
  path: string;
  summary: string;
  tags: string[];
  /** Anonymous endpoints set this to false; everything else needs a token. */
  auth?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The envelope message when the query string fails validation. */
  queryErrorMessage?: string;
  /** Success status; a handler returning undefined answers 204. */
  status?: number;
  /** The success body; the handler must return what it describes (or undefined for a 204). */
  response?: z.ZodType<R>;
  responseDescription?: string;
  /**
   * A success body that is not JSON (the handler returns a stream of it): its media type,
   * documented as a string. Set instead of `response`.
   */
  produces?: string;
  handler(ctx: RouteContext<P, Q, B>): Promise<NoInfer<R> | undefined>;
}

/** Identity function that lets TypeScript infer a route's parameter types from its schemas. */
export function defineRoute<P, Q, B, R>(route: Route<P, Q, B, R>): Route<P, Q, B, R> {
  return route;
}

/** A route of any input types, as lists of routes hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes; each was checked by defineRoute.
export type AnyRoute = Route<any, any, any, any>; // any: see the line above

/** Registers routes on Fastify with auth, validation and the status conventions above. */
export function mountRoutes(app: FastifyInstance, routes: AnyRoute[], deps: ApiDeps): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (request, reply) => {
        const actor = route.auth === false ? anonymous : await authenticateRequest(request, deps);
        const params = parse(route.params, request.params, 'Invalid path parameters.');
        const query = parse(
          route.query,
          request.query,
          route.queryErrorMessage ?? 'Query parameters have invalid values.',
        );
        const body = parse(route.body, request.body ?? {}, 'Validation failed.');
        const result = await route.handler({ actor, params, query, body, deps, request, reply });
        if (reply.sent) return reply;
        if (result === undefined) return reply.code(204).send();
        return reply.code(route.status ?? 200).send(result);
      },
    });
  }
}

const anonymous: Actor = { userId: '', username: '', name: '', avatarUrl: '', role: 'member', apiKeyId: '' };

function parse<T>(schema: z.ZodType<T> | undefined, input: unknown, message: string): T {
  if (!schema) return input as T;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(result.error.issues.map(toValidation), message);
}

function toValidation(issue: z.core.$ZodIssue): Validation {
  return { field: issue.path.map(String).join('.') || 'body', detail: issue.message };
}
