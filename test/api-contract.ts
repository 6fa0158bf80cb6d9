import { isDeepStrictEqual } from 'node:util';
import { ErrorBodySchema } from '../src/api/error-schema.js';
import { apiRoutes } from '../src/api/index.js';
import type { AnyRoute } from '../src/api/route.js';

interface MatchableRoute {
  route: AnyRoute;
  pattern: RegExp;
}

/** Static segments win over parameters (`/keys/tokens` before `/keys/{keyid}`), as in Fastify. */
const ROUTES: MatchableRoute[] = apiRoutes
  .map((route) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => paramCount(a.route) - paramCount(b.route));

function paramCount(route: AnyRoute): number {
  return route.path.split('{').length - 1;
}

/**
 * What is wrong with a control-plane response measured against the OpenAPI document, or
 * undefined. The dashboard's and the CLI's types are generated from that document, so the
 * server must send exactly what it describes: the documented success status, a body its
 * schema accepts, and no field it leaves out (zod drops unknown keys, so a parse that changes
 * the body found one). Responses of paths that are no documented route are not judged.
 */
export function contractProblem(
  method: string,
  url: string,
  status: number,
  text: string,
): string | undefined {
  const path = url.split('?')[0] ?? url;
  const match = ROUTES.find((r) => r.route.method === method && r.pattern.test(path));
  if (!match) return undefined;
  const { route } = match;
  const expected = route.response || route.produces ? (route.status ?? 200) : 204;
  if (status < 400 && status !== expected) return `answered ${status}; the document says ${expected}`;
  if (route.produces && status < 400) return undefined;
  const schema = status >= 400 ? ErrorBodySchema : route.response;
  if (!schema || status === 204) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return `body does not match its schema: ${parsed.error.message}`;
  if (!isDeepStrictEqual(parsed.data, body)) {
    return `body has fields its schema does not document: ${JSON.stringify(undocumented(body, parsed.data))}`;
  }
  return undefined;
}

/** The paths of keys present in `sent` but absent from what the schema kept. */
function undocumented(sent: unknown, kept: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    return sent.flatMap((item, i) => undocumented(item, kept[i], `${at}[${i}]`)).slice(0, 10);
  }
  if (!isObject(sent) || !isObject(kept)) return [];
  return Object.keys(sent).flatMap((key) =>
    key in kept ? undocumented(sent[key], kept[key], `${at}.${key}`) : [`${at}.${key}`],
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
