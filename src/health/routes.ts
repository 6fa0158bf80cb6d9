import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../db/health.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { ProviderRegistry } from '../providers/registry.js';

/** What the operational endpoints read. */
export interface HealthDeps {
  db: Database;
  metrics: Registry;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** When limits are configured, `/readyz` says where they count and whether this replica is on its share. */
  limits?: Pick<RateLimits, 'enabled' | 'status'> | undefined;
  /** Provider instances whose keys this process cannot decrypt make the replica not ready. */
  providers?: Pick<ProviderRegistry, 'undecryptable'> | undefined;
}

/**
 * Endpoints for orchestrators and scrapers: `/healthz` (the process is up), `/readyz` (the
 * database answers, so requests can be served and recorded; 503 otherwise, so a load balancer
 * takes the replica out) and `/metrics` (Prometheus; behind a token when one is configured).
 * A replica whose limits store is away stays ready (it enforces its share of each limit) and
 * says so in `/readyz`'s `limits`. A replica that cannot decrypt some provider instance's keys
 * (another AIBRIDGE_SECRET_KEY sealed them) is not ready: it would answer that instance's
 * traffic with 503s, so it names them under `providers.undecryptable` and answers 503.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!deps.db.health.down) {
      try {
        await sql`select 1`.execute(deps.db.kysely);
        const limits = deps.limits?.enabled ? { limits: deps.limits.status() } : {};
        const undecryptable = deps.providers?.undecryptable ?? [];
        if (undecryptable.length === 0) return { status: 'ready', ...limits };
        // Not a passing outage (no Retry-After): only the operator's fix makes it ready.
        return reply.code(503).send({
          status: 'unavailable',
          detail:
            "Provider keys in the database cannot be decrypted with this replica's AIBRIDGE_SECRET_KEY: it differs from the one that encrypted them.",
          providers: { undecryptable },
          ...limits,
        });
      } catch (error) {
        deps.db.health.failed(error);
      }
    }
    return reply
      .code(503)
      .header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS))
      .send({ status: 'unavailable', detail: 'The database is unavailable.' });
  });
  app.get('/metrics', async (request, reply) => {
    if (deps.metricsToken && !bearerMatches(request, deps.metricsToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ message: 'Metrics need Authorization: Bearer <AIBRIDGE_METRICS_TOKEN>.' });
    }
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });
}

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
