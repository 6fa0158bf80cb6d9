import { z } from 'zod';
import { promptsHiddenFrom } from '../audit/prompt-policy.js';
import { ApiError } from '../errors.js';
import { parseSessionSearch } from '../search/filters.js';
import { goQuote } from '../search/go-quote.js';
import { scopeOf } from '../store/scope.js';
import { SessionThreadStore } from '../store/session-threads.js';
import { SessionStore } from '../store/sessions.js';
import { readSnapshot } from '../store/snapshot.js';
import { firstValue, listPage, paginationParams, uuidParam } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow, searcherFor } from './search.js';
import { parseThreadsQuery, resolveInitiatorParam } from './thread-params.js';
import { SessionListView, sessionView } from './views/aibridge.js';
import { hideSessionText, hideThreadText } from './views/hidden-prompts.js';
import { SessionThreadsView, sessionThreadsView } from './views/session-threads.js';

const ListSessionsQuery = z.object({
  q: firstValue(
    'Search query in the format `key:value`. Available keys are: initiator, provider, model, client, ' +
      'session_id, started_after, started_before. A session matches when one of its interceptions does.',
  ),
  after_session_id: firstValue(
    'Cursor: the `id` of the last session of the previous page (not with offset).',
  ),
  after_initiator_id: uuidParam(
    'after_initiator_id',
    'With after_session_id: the initiator of that session, for an id two users share. ' +
      'Default: the q initiator, else yours, else the most recently active.',
  ),
  ...paginationParams,
});

const SessionParams = z.object({
  session_id: z
    .string()
    .describe('The session id: a client session id, or a thread root or interception id.'),
});

const SessionThreadsQuery = z.object({
  after_id: firstValue('Thread cursor: the id of a thread; returns the threads after it.'),
  before_id: firstValue('Thread cursor: the id of a thread; returns the threads just before it.'),
  limit: firstValue('Threads per page: default 50, 1 to 200.').meta({
    type: 'integer',
    minimum: 1,
    maximum: 200,
  }),
  initiator: firstValue(
    'Whose session, when users share the id: a user id, username or `me`. Default: yours, else the most recently active.',
  ),
});

/** GET /sessions: sessions that have a matching interception, most recently active first. */
const listSessions = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/sessions',
  summary: 'List AI Bridge sessions',
  tags: ['AI Bridge'],
  query: ListSessionsQuery,
  response: SessionListView,
  handler: async ({ actor, deps, query }) => {
    const cursor = query.after_session_id;
    const page = listPage(query, { name: 'after_session_id', value: cursor });
    const db = deps.db.kysely;
    const filter = filterOrThrow(
      await parseSessionSearch(query.q, searcherFor(actor, db)),
      'Invalid session search query.',
    );
    const scope = scopeOf(actor);
    const store = new SessionStore(db);
    const after = cursor
      ? await store.find(cursor, scope, {
          initiatorId: query.after_initiator_id,
          preferInitiatorId: filter.initiatorId ?? actor.userId,
        })
      : undefined;
    if (cursor && !after) {
      throw new ApiError(
        400,
        'Query parameter has invalid value.',
        `after_session_id: session ${goQuote(cursor)} not found`,
      );
    }
    const { count, sessions } = await readSnapshot(db, (trx) =>
      new SessionStore(trx).page({ filter, scope, ...page, after }),
    );
    const views = sessions.map(sessionView);
    return {
      count,
      sessions: promptsHiddenFrom(actor, deps.config.prompts) ? views.map(hideSessionText) : views,
    };
  },
});

/** GET /sessions/{session_id}: one session's header and a page of its threads, oldest first. */
const getSession = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/sessions/{session_id}',
  summary: 'Get an AI Bridge session with its threads',
  tags: ['AI Bridge'],
  params: SessionParams,
  query: SessionThreadsQuery,
  response: SessionThreadsView,
  handler: async ({ actor, deps, params, query }) => {
    if (params.session_id === '') throw new ApiError(400, 'Missing session_id path parameter.');
    const threads = parseThreadsQuery(query);
    const db = deps.db.kysely;
    const initiatorId = await resolveInitiatorParam(query.initiator, searcherFor(actor, db));
    const scope = scopeOf(actor);
    const key = await new SessionStore(db).find(params.session_id, scope, {
      initiatorId,
      preferInitiatorId: actor.userId,
    });
    if (!key) throw new ApiError(404, 'Session not found.');
    return readSnapshot(db, async (trx) => {
      const store = new SessionThreadStore(trx, scope);
      for (const [name, id] of [
        ['after_id', threads.afterId],
        ['before_id', threads.beforeId],
      ] as const) {
        const problem = id === undefined ? undefined : await store.cursorProblem(id, name, key);
        if (problem) throw new ApiError(400, 'Invalid pagination cursor.', problem);
      }
      const session = await new SessionStore(trx).get(key);
      if (!session) throw new ApiError(404, 'Session not found.');
      const view = sessionThreadsView(
        session,
        await store.page(key, threads),
        await store.tokenMetadata(key),
      );
      return promptsHiddenFrom(actor, deps.config.prompts) ? hideThreadText(view) : view;
    });
  },
});

/** The sessions endpoints. */
export const sessionRoutes: AnyRoute[] = [listSessions, getSession];
