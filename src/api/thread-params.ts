import { ApiError, validationFailed } from '../errors.js';
import type { Searcher } from '../search/filters.js';
import { ParamParser } from '../search/params.js';
import { NIL_UUID, parseUuid } from '../search/uuid.js';
import type { ThreadPageQuery } from '../store/session-threads.js';
import { parseInt32 } from './query-params.js';

const DEFAULT_THREADS = 50;
const MAX_THREADS = 200;

/**
 * The session detail's paging parameters, checked in the reference's order with its messages
 * (these are plain 400s, not validation lists): each cursor, both cursors, then the limit.
 */
export function parseThreadsQuery(query: {
  after_id: string;
  before_id: string;
  limit: string;
}): ThreadPageQuery {
  const afterId = cursor(query.after_id, 'after_id');
  const beforeId = cursor(query.before_id, 'before_id');
  if (afterId && beforeId)
    throw new ApiError(400, 'Cannot use both after_id and before_id in the same request.');
  let limit = DEFAULT_THREADS;
  if (query.limit !== '') {
    const parsed = parseInt32(query.limit);
    if (typeof parsed === 'string' || parsed < 1 || parsed > MAX_THREADS) {
      throw new ApiError(
        400,
        'Invalid limit query parameter.',
        `Limit must be between 1 and ${MAX_THREADS}.`,
      );
    }
    limit = parsed;
  }
  return { limit, afterId, beforeId };
}

function cursor(text: string, name: string): string | undefined {
  if (text === '') return undefined;
  const id = parseUuid(text);
  if (!id.ok) throw new ApiError(400, `Invalid ${name} query parameter.`, id.error);
  return id.value === NIL_UUID ? undefined : id.value;
}

/** `initiator` of the session detail: `me`, a user id or a visible username → a user id. */
export async function resolveInitiatorParam(text: string, searcher: Searcher): Promise<string | undefined> {
  if (text === '') return undefined;
  const parser = new ParamParser(new Map([['initiator', [text]]]));
  const id = await parser.user('initiator', searcher.actorId, searcher.findVisibleUser);
  if (parser.validations.length > 0)
    throw validationFailed(parser.validations, 'Query parameters have invalid values.');
  return id;
}
