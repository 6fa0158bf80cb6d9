/**
 * The REST API as a client sees it, by endpoint: what a path answers, takes and reads, derived
 * from the types `npm run api:types` generates from the OpenAPI document. The dashboard and the
 * CLI name their types through these, so a schema change on the server is a type error in them.
 */
import type { paths } from './generated/openapi.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An operation of the document, as openapi-typescript shapes it. */
type Operation<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M>['responses'];

/** The JSON a successful call (200 or 201) of `method` on `path` answers with. */
export type ResponseOf<P extends keyof paths, M extends Method = 'get'> = JsonOf<
  Responses<P, M>[Extract<keyof Responses<P, M>, 200 | 201>]
>;

/** The JSON body `method` on `path` takes. */
export type RequestBodyOf<P extends keyof paths, M extends Method> = JsonOf<Operation<P, M>['requestBody']>;

/** The query parameters `method` on `path` reads (the client's `params` are checked against them). */
export type QueryOf<P extends keyof paths, M extends Method = 'get'> = NonNullable<
  Operation<P, M>['parameters']['query']
>;
