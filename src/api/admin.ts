import { z } from 'zod';
import { recordAudit, whoOf } from '../audit/trail.js';
import { canManageUsers } from '../auth/roles.js';
import { parseDurationText } from '../config.js';
import { forbidden, validationFailed } from '../errors.js';
import { type AnyRoute, defineRoute } from './route.js';

/** How long one purge request may delete before answering `done: false` (call again to go on). */
const PURGE_REQUEST_BUDGET_MS = 10_000;

const PurgeBody = z
  .object({
    older_than: z
      .string()
      .optional()
      .describe('Delete interceptions that started longer ago than this, e.g. "30d" (ms, s, m, h, d, w).'),
    before: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'Or: delete interceptions that started before this RFC 3339 time (e.g. the cutoff of a previous call).',
      ),
    dry_run: z.boolean().default(false).describe('Only count what would be deleted.'),
  })
  .meta({ id: 'PurgeRequest' });

const PurgeView = z
  .object({
    cutoff: z.iso.datetime().describe('Interceptions that started before this were (or would be) deleted.'),
    dry_run: z.boolean(),
    interceptions: z.int().min(0).describe('Interceptions deleted by this call (or, dry, that would be).'),
    rows: z
      .int()
      .min(0)
      .describe('Interceptions plus the token usages, prompts, tool calls and thoughts under them.'),
    done: z
      .boolean()
      .describe(
        'Nothing older than the cutoff is left; false when the time budget ran out: call again with `before` = cutoff.',
      ),
  })
  .meta({ id: 'PurgeResponse' });

/**
 * POST /api/v2/aibridge/admin/purge: what the retention job runs, on demand — the same batches of 5,000 in
 * their own transactions under the same advisory lock (waiting for a replica's batch rather
 * than skipping), and at most ~10 s per request so no request runs unbounded.
 */
const purge = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/admin/purge',
  summary:
    'Delete (or count) interceptions older than a cutoff, with everything recorded under them (owners)',
  tags: ['Administration'],
  body: PurgeBody,
  response: PurgeView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can purge interceptions.');
    const cutoff = cutoffOf(body);
    if (body.dry_run) {
      const counted = await deps.retention.countBefore(cutoff);
      return { cutoff: cutoff.toISOString(), dry_run: true, ...counted, done: true };
    }
    const run = await deps.retention.purgeBefore(cutoff, {
      wait: true,
      deadline: Date.now() + PURGE_REQUEST_BUDGET_MS,
    });
    const result = {
      cutoff: cutoff.toISOString(),
      dry_run: false,
      interceptions: run.interceptions,
      rows: run.rows,
      done: run.done,
    };
    // The purge commits batch by batch under its lock; the entry follows the run that completed.
    await recordAudit(deps.db.kysely, whoOf(actor, request), {
      action: 'retention.purge',
      target: { type: 'interceptions', id: '' },
      after: result,
    });
    return result;
  },
});

function cutoffOf(body: z.infer<typeof PurgeBody>): Date {
  if ((body.older_than === undefined) === (body.before === undefined)) {
    throw validationFailed([{ field: 'older_than', detail: 'give either older_than or before' }]);
  }
  if (body.before !== undefined) {
    const before = new Date(body.before);
    if (before.getTime() > Date.now()) {
      throw validationFailed([{ field: 'before', detail: 'before must not be in the future' }]);
    }
    return before;
  }
  const ms = parseDurationText(body.older_than ?? '');
  if (typeof ms === 'string' || ms <= 0) {
    throw validationFailed([
      { field: 'older_than', detail: typeof ms === 'string' ? ms : 'older_than must be longer than 0' },
    ]);
  }
  return new Date(Date.now() - ms);
}

/** The administration endpoints. */
export const adminRoutes: AnyRoute[] = [purge];
