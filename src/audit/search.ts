import type { SearchResult } from '../search/filters.js';
import type { Instant } from '../search/go-time.js';
import { ParamParser } from '../search/params.js';
import { searchTerms } from '../search/tokenize.js';
import { parseUuid } from '../search/uuid.js';

/** What a page of the audit log is narrowed to; every field set must hold. */
export interface AuditFilter {
  /** A user id, or (for `system` and usernames of users since deleted) the name recorded. */
  actorId?: string | undefined;
  actorName?: string | undefined;
  /** An exact action, or with `prefix` every action starting with it (`token.*`). */
  action?: { value: string; prefix: boolean } | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Inclusive bounds on the entry's time. */
  since?: Instant | undefined;
  until?: Instant | undefined;
}

/**
 * `q` of GET /api/v2/audit, in the grammar of the other lists: `actor:<username|user id|me|system>`,
 * `action:<action>` (a trailing `*` matches a prefix), `target:<type>`, `target_id:<id>`,
 * `since:` and `until:` (RFC 3339, quoted). A bare term is an action.
 */
export function parseAuditSearch(q: string, actorId: string): SearchResult<AuditFilter> {
  if (q === '') return { ok: true, filter: {} };
  const terms = searchTerms(q, { key: 'action' });
  if (!terms.ok) return terms;
  const parser = new ParamParser(terms.values);
  const actor = parser.string('actor');
  const action = parser.string('action');
  const filter: AuditFilter = {
    ...actorFilter(actor, actorId),
    action: action === undefined ? undefined : actionFilter(action),
    targetType: parser.string('target'),
    targetId: parser.string('target_id'),
    since: parser.time('since'),
    until: parser.time('until'),
  };
  if (filter.since && filter.until && filter.until.ns < filter.since.ns) {
    parser.report('until', 'Query param "until" has invalid value: "until" must not be before "since"');
  }
  parser.reportUnknownKeys();
  return parser.validations.length > 0
    ? { ok: false, validations: parser.validations }
    : { ok: true, filter };
}

function actorFilter(actor: string | undefined, actorId: string): Pick<AuditFilter, 'actorId' | 'actorName'> {
  if (actor === undefined) return {};
  if (actor === 'me') return { actorId };
  const id = parseUuid(actor);
  return id.ok ? { actorId: id.value } : { actorName: actor };
}

function actionFilter(text: string): AuditFilter['action'] {
  return text.endsWith('*') ? { value: text.slice(0, -1), prefix: true } : { value: text, prefix: false };
}
