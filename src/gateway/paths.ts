/** The prefix every provider route lives under; the API's AI Bridge resources share it. */
export const GATEWAY_PREFIX = '/api/v2/aibridge/';

/**
 * Tells the gateway's paths from the API's under the prefix they share. The API's resources
 * (`interceptions`, `sessions`…) are learned from its routes as they are registered, not kept
 * by hand, so a new API resource can never be routed to a provider by mistake; everything else
 * under the prefix belongs to the gateway. The check is one prefix test and one set lookup, as
 * it runs on every request.
 */
export class GatewayPaths {
  private readonly apiResources = new Set<string>();

  /** Notes a registered API route (a Fastify path); paths outside the prefix are not its concern. */
  learn(apiPath: string): void {
    if (!apiPath.startsWith(GATEWAY_PREFIX)) return;
    const resource = firstSegment(apiPath.slice(GATEWAY_PREFIX.length));
    if (resource === '' || resource.startsWith(':') || resource.includes('*')) {
      throw new Error(
        `API route ${apiPath}: routes under ${GATEWAY_PREFIX} must start with a fixed resource name, or they would take the gateway's paths`,
      );
    }
    this.apiResources.add(resource);
  }

  /** The API resources learned so far (for tests and diagnostics). */
  get resources(): ReadonlySet<string> {
    return this.apiResources;
  }

  /** True when a request path (with or without query) is the gateway's rather than the API's. */
  isGatewayPath(url: string): boolean {
    if (!url.startsWith(GATEWAY_PREFIX)) return false;
    return !this.apiResources.has(firstSegment(url.slice(GATEWAY_PREFIX.length)));
  }
}

/** The part of `rest` before its first `/` or `?`. */
function firstSegment(rest: string): string {
  const end = rest.search(/[/?]/);
  return end === -1 ? rest : rest.slice(0, end);
}
