import type { ByokPolicy, ProviderType } from '../providers/instance.js';
import type { KeyPool } from '../providers/key-pool.js';
import type { BreakerSet } from '../providers/metrics.js';
import type { ErrorShape } from './errors.js';
import type { Upstream } from './upstream.js';

/** The upstream APIs aibridge understands well enough to record. */
export type ApiKind = 'messages' | 'chat-completions' | 'responses';

/**
 * One provider instance as the gateway sees it (the reference's Provider): which of its paths
 * are bridged and recorded, which are relayed without recording, how it authenticates and how
 * its clients expect errors to look. Built from a database row by `providers/registry.ts`.
 */
export interface Provider {
  /** The instance name: its route prefix's first segment, recorded on interceptions. */
  readonly name: string;
  readonly type: ProviderType;
  /** Shown in messages: `OpenAI`, `Anthropic`, or the instance name. */
  readonly displayName: string;
  /** Path segments after `/api/v2/aibridge/` that lead to this provider (`openai/v1`, `anthropic`). */
  readonly routePrefix: string;
  readonly keys: KeyPool;
  readonly byok: ByokPolicy;
  /** Models the instance may be asked for; undefined allows any. */
  readonly models: ReadonlySet<string> | undefined;
  /** Its circuit breakers, when enabled. */
  readonly breakers: BreakerSet | undefined;
  readonly upstream: Upstream;
  /**
   * Responses over WebSocket go to the provider's own WebSocket mode (`settings.websockets`),
   * rather than each turn being bridged to an HTTP stream.
   */
  readonly websockets: boolean;
  readonly errorShape: ErrorShape;
  /**
   * Why this replica cannot serve the instance at all (its stored keys do not decrypt with
   * this process's AIBRIDGE_SECRET_KEY): every request gets a 503 saying so, not a 404.
   */
  readonly unavailable?: string | undefined;
  /** The API a bridged path speaks, or undefined (`path` is after the route prefix, no query). */
  bridged(path: string): ApiKind | undefined;
  /** True for paths relayed without recording. */
  passthrough(path: string): boolean;
  /**
   * Headers that authenticate to the provider with `key` (undefined: the person's own
   * credential travels instead) and fill what its API requires, as name/value pairs.
   */
  upstreamHeaders(
    clientHeaders: Record<string, string | string[] | undefined>,
    key: string | undefined,
  ): string[];
  /** The query string sent upstream (Azure adds its `api-version`). */
  upstreamQuery(path: string, query: string): string;
  /** The model a path names (an Azure deployment), for bodies that carry none. */
  modelFromPath(path: string): string | undefined;
}

/** A request path resolved against the providers. */
export type Route =
  | { kind: 'bridged'; provider: Provider; api: ApiKind; path: string; query: string }
  | { kind: 'passthrough'; provider: Provider; path: string; query: string }
  | { kind: 'base'; provider: Provider }
  | { kind: 'unknown'; provider: Provider | undefined; path: string };

/**
 * Resolves `rest` (the URL after `/api/v2/aibridge/`, query included) against the instances,
 * keyed by name, without regexes or URL parsing: this runs on every request.
 */
export function resolveRoute(rest: string, providers: ReadonlyMap<string, Provider>): Route {
  const queryAt = rest.indexOf('?');
  const pathPart = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt);
  const slash = pathPart.indexOf('/');
  const provider = providers.get(slash === -1 ? pathPart : pathPart.slice(0, slash));
  if (hasDotSegment(pathPart)) {
    // `…/models/../../x` would reach another upstream path with the server's key: never forwarded.
    return { kind: 'unknown', provider, path: `/${pathPart}` };
  }
  if (provider && pathPart.startsWith(provider.routePrefix)) {
    const path = pathPart.slice(provider.routePrefix.length);
    if (path === '' || path === '/') return { kind: 'base', provider };
    if (path[0] === '/') {
      const api = provider.bridged(path);
      if (api) return { kind: 'bridged', provider, api, path, query };
      if (provider.passthrough(path)) return { kind: 'passthrough', provider, path, query };
    }
  }
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
