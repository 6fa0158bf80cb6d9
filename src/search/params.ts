import type { Validation } from '../errors.js';
import { goQuote } from './go-quote.js';
import { type Instant, parseGoTime, RFC3339_NANO, ZERO_TIME_NS } from './go-time.js';
import type { SearchValues } from './tokenize.js';
import { NIL_UUID, parseUuid } from './uuid.js';

/** Looks a username up among the users the caller may see; undefined when it may not. */
export type FindVisibleUser = (username: string) => Promise<string | undefined>;

/**
 * Reads typed values out of `q` terms the way the reference's QueryParamParser does: every
 * problem is collected (not just the first), a key given twice is an error, an empty value
 * means "not given", and keys nobody asked for are reported at the end.
 */
export class ParamParser {
  readonly validations: Validation[] = [];
  private readonly parsed = new Set<string>();

  constructor(private readonly values: SearchValues) {}

  /** An exact-match text value. */
  string(key: string): string | undefined {
    return this.single(key);
  }

  /** An RFC 3339 time (case-insensitive), in UTC; Go's zero time counts as not given. */
  time(key: string): Instant | undefined {
    const text = this.single(key);
    if (text === undefined) return undefined;
    const upper = [...text].map((c) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c)).join('');
    const result = parseGoTime(upper, RFC3339_NANO);
    if (!result.ok) {
      this.report(
        key,
        `Query param ${goQuote(key)} must be a valid date format (${RFC3339_NANO}): ${result.error}`,
      );
      return undefined;
    }
    return result.instant.ns === ZERO_TIME_NS ? undefined : result.instant;
  }

  /** `me`, a user id (taken as is) or a username the caller may see → a user id. */
  async user(key: string, actorId: string, findVisibleUser: FindVisibleUser): Promise<string | undefined> {
    const text = this.single(key);
    if (text === undefined) return undefined;
    if (text === 'me' && actorId) return actorId;
    const id = parseUuid(text);
    if (id.ok) return id.value === NIL_UUID ? undefined : id.value;
    const found = await findVisibleUser(text);
    if (!found) {
      this.report(
        key,
        `Query param ${goQuote(key)} has invalid value: user ${goQuote(text)} either does not exist, or you are unauthorized to view them`,
      );
    }
    return found;
  }

  /** Adds a validation of the caller's own (e.g. a rule across two keys). */
  report(field: string, detail: string): void {
    this.validations.push({ field, detail });
  }

  /** Reports every key of the query that no reader asked for, in the order they appeared. */
  reportUnknownKeys(): void {
    for (const key of this.values.keys()) {
      if (!this.parsed.has(key)) this.report(key, `${goQuote(key)} is not a valid query param`);
    }
  }

  private single(key: string): string | undefined {
    this.parsed.add(key);
    const list = this.values.get(key);
    if (!list || list[0] === '') return undefined;
    if (list.length > 1) {
      this.report(
        key,
        `Query param ${goQuote(key)} provided more than once, found ${list.length} times. Only provide 1 instance of this query param.`,
      );
      return undefined;
    }
    return list[0];
  }
}
