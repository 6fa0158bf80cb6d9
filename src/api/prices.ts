import { sql } from 'kysely';
import { z } from 'zod';
import { audited, recordAudit, whoOf } from '../audit/trail.js';
import { canManageUsers } from '../auth/roles.js';
import { sqlState } from '../db/errors.js';
import { ApiError, forbidden } from '../errors.js';
import { OverrideRatesSchema, ratesView } from '../pricing/override-rates.js';
import { OVERRIDES_RELOAD_MS } from '../pricing/overrides.js';
import { PRICE_PACKAGE, packageModels } from '../pricing/package-book.js';
import { recalculateCosts } from '../store/cost-recalculation.js';
import { PriceOverrides } from '../store/price-overrides.js';
import { type AnyRoute, defineRoute } from './route.js';

const Rates = OverrideRatesSchema;

/** One override as the API shows it. */
export const OverrideView = z
  .object({
    id: z.uuid(),
    provider: z.string().nullable().describe('null: whichever provider serves the model.'),
    model: z.string(),
    effective_from: z.iso.datetime(),
    rates: Rates,
    note: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'PriceOverride' });

const OverrideBody = z
  .object({
    provider: z.enum(['anthropic', 'openai']).nullable().default(null),
    model: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .describe('A model name as agents send it, or the package’s model id.'),
    effective_from: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('From when the rates apply (interceptions that start then or later); default: now.'),
    rates: Rates,
    note: z.string().max(1000).default(''),
  })
  .meta({ id: 'PriceOverrideRequest' });

/** The price book's JSON (the CLI reads it too). */
export const PriceBookView = z
  .object({
    package: z
      .object({ name: z.string(), version: z.string() })
      .describe('Where the built-in prices come from.'),
    overrides_staleness_seconds: z.int().describe('How long an override may take to reach every replica.'),
    overrides: z.array(OverrideView),
    models: z
      .array(
        z.object({
          provider: z.string(),
          model: z.string(),
          name: z.string(),
          source: z.enum(['package', 'override']),
          rates: Rates,
        }),
      )
      .describe(
        'Every model the book prices now, with the rates in force (an override replaces the package’s).',
      ),
    unpriced: z
      .array(z.object({ provider: z.string(), model: z.string(), interceptions: z.int() }))
      .describe('Models recorded without a cost: set a price with POST /api/v2/aibridge/prices.'),
  })
  .meta({ id: 'PriceBook' });

type OverrideJson = z.infer<typeof OverrideView>;

function overrideView(row: Awaited<ReturnType<PriceOverrides['list']>>[number]): OverrideJson {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    effective_from: row.effective_from.toISOString(),
    rates: row.rates as OverrideJson['rates'],
    note: row.note,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function inputOf(body: z.infer<typeof OverrideBody>) {
  return {
    provider: body.provider,
    model: body.model,
    effectiveFrom: body.effective_from ? new Date(body.effective_from) : new Date(),
    rates: body.rates,
    note: body.note,
  };
}

const IdParams = z.object({ id: z.uuid() });

const [packageName, packageVersion] = splitPackage(PRICE_PACKAGE);

const list = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/prices',
  summary: 'The price book in force: package prices, owner overrides, and models recorded without a price',
  tags: ['Cost'],
  response: PriceBookView,
  handler: async ({ deps }) => {
    const now = new Date();
    const overrides = await new PriceOverrides(deps.db.kysely).list();
    const models = packageModels(now).map((m) => {
      const price = deps.pricing.book.priceOf(m.provider, m.model, now) ?? m.price;
      return {
        provider: m.provider,
        model: m.model,
        name: m.name,
        source: price.source,
        rates: ratesView(price.rates),
      };
    });
    // Models only overrides price (self-hosted ones), at the rates in force now.
    const listed = new Set(models.map((m) => m.model));
    for (const row of overrides) {
      const price = deps.pricing.book.priceOf(row.provider ?? '', row.model, now);
      if (listed.has(row.model) || price?.source !== 'override') continue;
      listed.add(row.model);
      models.push({
        provider: row.provider ?? '',
        model: row.model,
        name: row.model,
        source: 'override',
        rates: ratesView(price.rates),
      });
    }
    const { rows } = await sql<{ provider: string; model: string; interceptions: string }>`
      SELECT provider, model, sum(unpriced_interceptions)::int8 AS interceptions FROM aibridge_usage_hourly
      GROUP BY provider, model HAVING sum(unpriced_interceptions) > 0 ORDER BY 3 DESC, 1, 2 LIMIT 100`.execute(
      deps.db.kysely,
    );
    return {
      package: { name: packageName, version: packageVersion },
      overrides_staleness_seconds: OVERRIDES_RELOAD_MS / 1000,
      overrides: overrides.map(overrideView),
      models,
      unpriced: rows.map((r) => ({ ...r, interceptions: Number(r.interceptions) })),
    };
  },
});
const create = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/prices',
  summary: 'Add a price override from an effective time on (owners)',
  tags: ['Cost'],
  body: OverrideBody,
  status: 201,
  response: OverrideView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can set prices.');
    const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const after = overrideView(await new PriceOverrides(trx).create(inputOf(body), actor.userId));
      await audit({ action: 'price.create', target: { type: 'price', id: after.id }, after });
      return after;
    }).catch(conflict);
    await deps.pricing.overrides.reload();
    return view;
  },
});
const update = defineRoute({
  method: 'PUT',
  path: '/api/v2/aibridge/prices/{id}',
  summary: 'Replace a price override (owners)',
  tags: ['Cost'],
  params: IdParams,
  body: OverrideBody,
  response: OverrideView,
  handler: async ({ actor, deps, params, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can set prices.');
    const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const overrides = new PriceOverrides(trx);
      const before = await overrides.find(params.id);
      const row = before && (await overrides.update(params.id, inputOf(body)));
      if (!before || !row) throw new ApiError(404, 'Price override not found.');
      const after = overrideView(row);
      await audit({
        action: 'price.update',
        target: { type: 'price', id: row.id },
        before: overrideView(before),
        after,
      });
      return after;
    }).catch(conflict);
    await deps.pricing.overrides.reload();
    return view;
  },
});
const remove = defineRoute({
  method: 'DELETE',
  path: '/api/v2/aibridge/prices/{id}',
  summary: 'Delete a price override (owners)',
  tags: ['Cost'],
  params: IdParams,
  handler: async ({ actor, deps, params, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can set prices.');
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const overrides = new PriceOverrides(trx);
      const before = await overrides.find(params.id);
      if (!before || !(await overrides.delete(params.id)))
        throw new ApiError(404, 'Price override not found.');
      await audit({
        action: 'price.delete',
        target: { type: 'price', id: before.id },
        before: overrideView(before),
      });
    });
    await deps.pricing.overrides.reload();
    return undefined;
  },
});
const RecalculateBody = z
  .object({
    since: z.iso
      .datetime({ offset: true })
      .describe('Re-price interceptions that started at or after this time.'),
  })
  .meta({ id: 'RecalculateCostsRequest' });

const RecalculateView = z
  .object({
    since: z.iso.datetime(),
    interceptions: z.int().describe('Ended interceptions re-priced by this call.'),
    changed: z.int().describe('Of those, how many got a different cost.'),
    cost_before_micros: z.int().describe('Their cost before (unpriced as 0).'),
    cost_after_micros: z.int().describe('Their cost now (unpriced as 0).'),
    done: z.boolean(),
    resume_since: z.iso
      .datetime()
      .optional()
      .describe('When not done (the ~10 s budget ran out): call again with since = resume_since.'),
  })
  .meta({ id: 'RecalculateCostsResponse' });

/**
 * POST /api/v2/aibridge/prices/recalculate: the one way history is re-priced — the explicit
 * owner action after an override for a past time; it says what it changed.
 */
const recalculate = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/prices/recalculate',
  summary: 'Re-price recorded interceptions since a time with the book in force now (owners)',
  tags: ['Cost'],
  body: RecalculateBody,
  response: RecalculateView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can recalculate costs.');
    const since = new Date(body.since);
    const run = await recalculateCosts(deps.db.kysely, deps.pricing.book, since, Date.now() + 10_000);
    const result = {
      since: since.toISOString(),
      interceptions: run.interceptions,
      changed: run.changed,
      cost_before_micros: run.costBeforeMicros,
      cost_after_micros: run.costAfterMicros,
      done: run.resumeSince === undefined,
      ...(run.resumeSince ? { resume_since: run.resumeSince.toISOString() } : {}),
    };
    // Re-pricing commits in batches of its own; the entry follows the run that completed.
    await recordAudit(deps.db.kysely, whoOf(actor, request), {
      action: 'price.recalculate',
      target: { type: 'price', id: '' },
      after: result,
    });
    return result;
  },
});

/** The price-book endpoints: everyone reads the book; owners write overrides and recalculate. */
export const priceRoutes: AnyRoute[] = [list, create, update, remove, recalculate];

function splitPackage(id: string): [string, string] {
  const at = id.lastIndexOf('@');
  return at > 0 ? [id.slice(0, at), id.slice(at + 1)] : [id, ''];
}

function conflict(error: unknown): never {
  if (sqlState(error) === '23505') {
    throw new ApiError(409, 'An override for this model and provider already starts at that time.');
  }
  throw error;
}
