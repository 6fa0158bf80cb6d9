import type { ErrorShape } from './errors.js';
import type { Upstream } from './upstream.js';

/** The upstream APIs aibridge understands well enough to record. */
export type ApiKind = 'messages' | 'chat-completions' | 'responses';

/**
 * One upstream provider as the gateway sees it (the reference's Provider): which of its paths
 * are bridged and recorded, which are relayed without recording, how it authenticates and how
 * its clients expect errors to look.
 */
export interface Provider {
  /** Provider type, as recorded on interceptions and used in the URL: `openai`, `anthropic`. */
  readonly name: string;
  /** Shown in messages: `OpenAI`, `Anthropic`. */
  readonly displayName: string;
  /** Path segments after `/api/v2/aibridge/` that lead to this provider (`openai/v1`, `anthropic`). */
  readonly routePrefix: string;
  /** The setting that provides its key, for the "not configured" message. */
  readonly keySetting: string;
  readonly key: string | undefined;
  readonly upstream: Upstream;
  readonly errorShape: ErrorShape;
  /** The API a bridged path speaks, or undefined (`path` is after the route prefix, no query). */
  bridged(path: string): ApiKind | undefined;
  /** True for paths relayed without recording. */
  passthrough(path: string): boolean;
  /** Headers that authenticate to the provider and fill what its API requires, as name/value pairs. */
  upstreamHeaders(clientHeaders: Record<string, string | string[] | undefined>): string[];
}

/** A request path resolved against the providers. */
export type Route =
  | { kind: 'bridged'; provider: Provider; api: ApiKind; path: string; query: string }
  | { kind: 'passthrough'; provider: Provider; path: string; query: string }
  | { kind: 'base'; provider: Provider }
  | { kind: 'unknown'; provider: Provider | undefined; path: string };

/**
 * Resolves `rest` (the URL after `/api/v2/aibridge/`, query included) without regexes or URL
 * parsing: this runs on every request.
 */
export function resolveRoute(rest: string, providers: readonly Provider[]): Route {
  const queryAt = rest.indexOf('?');
  const pathPart = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt);
  if (hasDotSegment(pathPart)) {
    // `…/models/../../x` would reach another upstream path with the server's key: never forwarded.
    const provider = providers.find((p) => pathPart.startsWith(p.routePrefix.split('/')[0] ?? ''));
    return { kind: 'unknown', provider, path: `/${pathPart}` };
  }
  for (const provider of providers) {
    if (!pathPart.startsWith(provider.routePrefix)) continue;
    const path = pathPart.slice(provider.routePrefix.length);
    if (path === '' || path === '/') return { kind: 'base', provider };
    if (path[0] !== '/') continue;
    const api = provider.bridged(path);
    if (api) return { kind: 'bridged', provider, api, path, query };
    if (provider.passthrough(path)) return { kind: 'passthrough', provider, path, query };
    return { kind: 'unknown', provider, path: `/${pathPart}` };
  }
  const first = pathPart.split('/')[0];
  const provider = providers.find((p) => p.routePrefix.split('/')[0] === first);
  return { kind: 'unknown', provider, path: `/${pathPart}` };
}

/**
 * True when a path has a `.` or `..` segment, also percent-encoded (`%2e%2E`), or a segment that
 * decodes to a slash or backslash: the forms an upstream (or a proxy before it) may normalise
 * into a different path than the one routed.
 */
export function hasDotSegment(path: string): boolean {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) return true;
  }
  return false;
}
