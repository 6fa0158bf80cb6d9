import type { Command } from 'commander';
import { addFilterFlags, type FilterFlags, idFlag, limitFlag, searchQuery } from './activity-flags.js';
import { ApiClient, type ApiFlags, addApiFlags, printJson } from './api-client.js';

type ListFlags = ApiFlags & FilterFlags & { afterId?: string; limit: string };

/** `aibridge interceptions list`: the reference's command, over the REST API. */
export function registerInterceptionCommands(program: Command): void {
  const interceptions = program
    .command('interceptions')
    .description('Read recorded interceptions from a running server');
  addApiFlags(
    addFilterFlags(
      interceptions.command('list').description('List interceptions as JSON (newest first)'),
      'interceptions',
    )
      .option('--after-id <id>', 'the id of the last result of the previous page (pagination cursor)')
      .option('--limit <n>', 'how many to return, 1 to 1000', '100'),
  ).action(async (flags: ListFlags) => {
    const query = {
      q: searchQuery(flags),
      after_id: idFlag(flags.afterId, 'after_id'),
      limit: limitFlag(flags.limit, 1000),
    };
    const body = (await new ApiClient(flags).get('/api/v2/aibridge/interceptions', query)) as {
      results: unknown;
    };
    printJson(body.results);
  });
}

type SessionListFlags = ApiFlags & FilterFlags & { afterSessionId?: string; limit: string };
type SessionShowFlags = ApiFlags & {
  initiator?: string;
  afterId?: string;
  beforeId?: string;
  limit?: string;
};

/** `aibridge sessions list|show`: sessions and their threads, over the REST API. */
export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('Read agent sessions from a running server');
  addApiFlags(
    addFilterFlags(
      sessions.command('list').description('List sessions as JSON (most recently active first)'),
      'sessions',
    )
      .option('--session-id <id>', 'only the session(s) with this id')
      .option(
        '--after-session-id <id>',
        'the id of the last session of the previous page (pagination cursor)',
      )
      .option('--limit <n>', 'how many to return, 1 to 1000', '100'),
  ).action(async (flags: SessionListFlags) => {
    const query = {
      q: searchQuery(flags),
      after_session_id: flags.afterSessionId,
      limit: limitFlag(flags.limit, 1000),
    };
    const body = (await new ApiClient(flags).get('/api/v2/aibridge/sessions', query)) as {
      sessions: unknown;
    };
    printJson(body.sessions);
  });

  addApiFlags(
    sessions
      .command('show <session-id>')
      .description('Show one session and a page of its threads as JSON (oldest first)')
      .option('--initiator <user>', 'whose session, when users share the id: a user id, username or "me"')
      .option('--after-id <id>', 'threads after this thread id')
      .option('--before-id <id>', 'threads just before this thread id')
      .option('--limit <n>', 'threads per page, 1 to 200'),
  ).action(async (sessionId: string, flags: SessionShowFlags) => {
    const query = {
      initiator: flags.initiator,
      after_id: idFlag(flags.afterId, 'after_id'),
      before_id: idFlag(flags.beforeId, 'before_id'),
      limit: flags.limit === undefined ? undefined : limitFlag(flags.limit, 200),
    };
    printJson(
      await new ApiClient(flags).get(`/api/v2/aibridge/sessions/${encodeURIComponent(sessionId)}`, query),
    );
  });
}
