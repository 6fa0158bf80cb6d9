import type { Kysely } from 'kysely';
import { type Actor, canReadEveryone } from '../auth/roles.js';
import type { Schema } from '../db/schema/index.js';
import { type Validation, validationFailed } from '../errors.js';
import type { UsageFilter } from '../store/usage.js';
import { isUuid, UserStore } from '../store/users.js';

/** The envelope message of a bad `q` on the usage endpoint (PRODUCT §4.7: it names the resource). */
export const USAGE_SEARCH_ERROR = 'Invalid usage search query.';

const KEYS = ['initiator', 'provider', 'model', 'client', 'started_after', 'started_before'] as const;
type Key = (typeof KEYS)[number];

/**
 * Turns the usage endpoint's `q` into a store filter with the interceptions list's keys
 * and the reference's messages (coder-aibridge.md §2.1). Self-contained on purpose: when
 * the shared `src/search/` grammar lands, this file is replaced by a call to it.
 */
export async function parseUsageSearch(q: string, actor: Actor, db: Kysely<Schema>): Promise<UsageFilter> {
  const validations: Validation[] = [];
  const values = new Map<Key, string>();
  const bare: string[] = [];
  for (const token of tokenize(q)) {
    const element = token.replaceAll('"', '');
    const colons = countUnquotedColons(token);
    if (colons === 0) {
      bare.push(element);
      continue;
    }
    if (element.startsWith(':') || element.endsWith(':')) {
      validations.push({ field: 'q', detail: `Query element "${element}" cannot start or end with ':'` });
      continue;
    }
    if (colons > 1) {
      validations.push({ field: 'q', detail: `Query element "${element}" can only contain 1 ':'` });
      continue;
    }
    const at = token.indexOf(':');
    const key = token.slice(0, at).replaceAll('"', '').toLowerCase();
    const value = token.slice(at + 1).replaceAll('"', '');
    if (!(KEYS as readonly string[]).includes(key)) {
      validations.push({ field: key, detail: `"${key}" is not a valid query param` });
    } else if (value !== '') values.set(key as Key, value);
  }
  // As on the interceptions list, words without a key name the initiator.
  if (bare.length > 0 && !values.has('initiator')) values.set('initiator', bare.join(' '));

  const filter: UsageFilter = {
    visibleTo: canReadEveryone(actor) ? undefined : actor.userId,
    provider: values.get('provider'),
    model: values.get('model'),
    client: values.get('client'),
    startedAfter: parseTime('started_after', values.get('started_after'), validations),
    startedBefore: parseTime('started_before', values.get('started_before'), validations),
  };
  const initiator = values.get('initiator');
  if (initiator !== undefined) filter.initiatorId = await resolveInitiator(initiator, actor, db, validations);
  if (filter.startedAfter && filter.startedBefore && filter.startedBefore <= filter.startedAfter) {
    validations.push({
      field: 'started_before',
      detail:
        'Query param "started_before" has invalid value: "started_before" must be after "started_after" if set',
    });
  }
  if (validations.length > 0) throw validationFailed(validations, USAGE_SEARCH_ERROR);
  return filter;
}

/** Splits on spaces except inside double quotes; the quotes stay for the key:value split. */
function tokenize(q: string): string[] {
  return q.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function countUnquotedColons(token: string): number {
  let quoted = false;
  let count = 0;
  for (const char of token) {
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) count++;
  }
  return count;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseTime(field: Key, value: string | undefined, validations: Validation[]): Date | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  const parsed = RFC3339.test(upper) ? new Date(upper) : undefined;
  if (parsed && !Number.isNaN(parsed.getTime())) return parsed;
  validations.push({
    field,
    detail: `Query param "${field}" must be a valid date format (2006-01-02T15:04:05.999999999Z07:00): "${upper}"`,
  });
  return undefined;
}

/** `me`, a uuid (taken as is) or a username the caller may see. */
async function resolveInitiator(
  value: string,
  actor: Actor,
  db: Kysely<Schema>,
  validations: Validation[],
): Promise<string | undefined> {
  if (value === 'me') return actor.userId;
  if (isUuid(value)) return value.toLowerCase();
  const user = await new UserStore(db).findLive(value);
  if (user && (canReadEveryone(actor) || user.id === actor.userId)) return user.id;
  validations.push({
    field: 'initiator',
    detail: `Query param "initiator" has invalid value: user "${value}" either does not exist, or you are unauthorized to view them`,
  });
  return undefined;
}
