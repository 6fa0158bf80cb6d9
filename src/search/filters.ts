import type { Validation } from '../errors.js';
import type { Instant } from './go-time.js';
import { type FindVisibleUser, ParamParser } from './params.js';
import { type BareTerm, searchTerms } from './tokenize.js';

/**
 * What a list of interceptions (or of sessions) is narrowed to. Every field is optional; each
 * one set must hold for an interception to match. Values only ever reach SQL as parameters.
 */
export interface InterceptionFilter {
  initiatorId?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** Compared with the client, a missing client counting as `Unknown`. */
  client?: string | undefined;
  /** Sessions only: the session key. */
  sessionId?: string | undefined;
  /** Inclusive bounds on `started_at`. */
  startedAfter?: Instant | undefined;
  startedBefore?: Instant | undefined;
}

/** A prefix to list distinct values (models, clients) by. */
export interface PrefixFilter {
  prefix?: string | undefined;
}

/** A parsed `q`, or every validation it failed. */
export type SearchResult<F> = { ok: true; filter: F } | { ok: false; validations: Validation[] };

/** Who is searching: `initiator:me` means them, and usernames resolve only among users they see. */
export interface Searcher {
  actorId: string;
  findVisibleUser: FindVisibleUser;
}

const INTERCEPTIONS_BARE_TERM: BareTerm = { key: 'initiator' };
const SESSIONS_BARE_TERM: BareTerm = { error: 'no search key specified' };

/** `q` of GET /interceptions: a bare term is an initiator. */
export function parseInterceptionSearch(
  q: string,
  searcher: Searcher,
): Promise<SearchResult<InterceptionFilter>> {
  return parseActivitySearch(q, searcher, INTERCEPTIONS_BARE_TERM, false);
}

/** `q` of GET /sessions: every term needs its key; `session_id` is accepted too. */
export function parseSessionSearch(q: string, searcher: Searcher): Promise<SearchResult<InterceptionFilter>> {
  return parseActivitySearch(q, searcher, SESSIONS_BARE_TERM, true);
}

async function parseActivitySearch(
  q: string,
  searcher: Searcher,
  bareTerm: BareTerm,
  sessions: boolean,
): Promise<SearchResult<InterceptionFilter>> {
  if (q === '') return { ok: true, filter: {} };
  const terms = searchTerms(q, bareTerm);
  if (!terms.ok) return terms;
  const parser = new ParamParser(terms.values);
  const filter: InterceptionFilter = {
    initiatorId: await parser.user('initiator', searcher.actorId, searcher.findVisibleUser),
    provider: parser.string('provider'),
    model: parser.string('model'),
    client: parser.string('client'),
    sessionId: sessions ? parser.string('session_id') : undefined,
    startedAfter: parser.time('started_after'),
    startedBefore: parser.time('started_before'),
  };
  const { startedAfter, startedBefore } = filter;
  if (startedAfter && startedBefore && startedBefore.ns <= startedAfter.ns) {
    parser.report(
      'started_before',
      'Query param "started_before" has invalid value: "started_before" must be after "started_after" if set',
    );
  }
  parser.reportUnknownKeys();
  return parser.validations.length > 0
    ? { ok: false, validations: parser.validations }
    : { ok: true, filter };
}

/** `q` of GET /models: a bare term or `model:` is a prefix. */
export function parseModelSearch(q: string): SearchResult<PrefixFilter> {
  return parsePrefixSearch(q, 'model');
}

/** `q` of GET /clients: a bare term or `client:` is a prefix. */
export function parseClientSearch(q: string): SearchResult<PrefixFilter> {
  return parsePrefixSearch(q, 'client');
}

function parsePrefixSearch(q: string, key: string): SearchResult<PrefixFilter> {
  if (q === '') return { ok: true, filter: {} };
  const terms = searchTerms(q, { key });
  if (!terms.ok) return terms;
  const parser = new ParamParser(terms.values);
  const prefix = parser.string(key);
  parser.reportUnknownKeys();
  return parser.validations.length > 0
    ? { ok: false, validations: parser.validations }
    : { ok: true, filter: { prefix } };
}
