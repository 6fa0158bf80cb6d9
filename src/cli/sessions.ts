import type { Command } from 'commander';
import { addFilterFlags, type FilterFlags, searchQuery } from './activity-flags.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { Session, SessionDetail } from './api-types.js';
import { addOutputFlag, addPagingFlags, pageSize, parseIdFlag, parseLimit, withExamples } from './flags.js';
import { SESSION_PAGES, SESSIONS } from './listings.js';
import { type OutputFormat, printJson, writeText } from './output.js';
import { cursorPages, printPages } from './pages.js';
import { renderTimeline } from './session-timeline.js';
import { terminalOf } from './terminal.js';

type ListFlags = ApiFlags &
  FilterFlags & {
    afterSessionId?: string;
    afterInitiatorId?: string;
    limit?: string;
    all?: boolean;
    output: OutputFormat;
  };

type ShowFlags = ApiFlags & {
  initiator?: string;
  afterId?: string;
  beforeId?: string;
  limit?: string;
  full?: boolean;
  output: 'table' | 'json';
};

/** `aibridge sessions list|show`: agent sessions and their threads. */
export function registerSessionCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('Agent sessions (conversations), most recently active first');
  withExamples(sessions, ['aibridge sessions list --initiator me --since 1d', 'aibridge sessions show <id>']);
  registerList(sessions);
  registerShow(sessions);
}

function registerList(sessions: Command): void {
  const list = sessions
    .command('list')
    .description("List sessions: a table, or the API's sessions array with -o json");
  addApiFlags(addOutputFlag(addPagingFlags(addFilterFlags(list, 'sessions'), 1000, 100)));
  list
    .option('--session-id <id>', 'only the session(s) with this id')
    .option('--after-session-id <id>', 'start after this session (the last one of the previous page)')
    .option(
      '--after-initiator-id <id>',
      "with --after-session-id: that session's initiator, when users share the id",
    );
  withExamples(list, [
    'aibridge sessions list --initiator me --since 3d',
    'aibridge sessions list --client "Claude Code" --model claude-sonnet-4 --limit 20',
    'aibridge sessions list --since 2026-11-01 --until 2026-11-08 --all -o csv > week.csv',
    "aibridge sessions list --q 'provider:openai client:Codex' -o json",
  ]);
  list.action(async (flags: ListFlags) => {
    const query = { q: searchQuery(flags), limit: pageSize(flags, 1000, 100) };
    const afterInitiatorId = parseIdFlag(flags.afterInitiatorId, 'after_initiator_id');
    const client = await ApiClient.connect(flags);
    const pages = cursorPages<Session>(client, {
      ...SESSION_PAGES,
      query,
      start: { after_session_id: flags.afterSessionId, after_initiator_id: afterInitiatorId },
      onePage: !flags.all,
    });
    await printPages(pages, flags.output, SESSIONS);
  });
}

function registerShow(sessions: Command): void {
  const show = sessions
    .command('show <session-id>')
    .description(
      "Show a session and its threads as a timeline: each prompt, then each step's tool calls and tokens",
    )
    .option('--initiator <user>', 'whose session, when users share the id: a user id, username or "me"')
    .option('--limit <n>', 'one page of this many threads (1 to 200) instead of all of them')
    .option('--after-id <id>', 'one page of the threads after this thread id')
    .option('--before-id <id>', 'one page of the threads just before this thread id')
    .option('--full', 'whole prompts, thoughts and tool inputs (default: a few lines, cut to the width)');
  addApiFlags(addOutputFlag(show, ['table', 'json']));
  withExamples(show, [
    'aibridge sessions show 7f9c0a52-8d7e-4f5e-9a57-1c0f3b2e4d61',
    'aibridge sessions show <id> --full | less -R',
    'aibridge sessions show <id> --limit 10 --after-id <thread id> -o json',
  ]);
  show.action(async (sessionId: string, flags: ShowFlags) => {
    const paging = {
      after_id: parseIdFlag(flags.afterId, 'after_id'),
      before_id: parseIdFlag(flags.beforeId, 'before_id'),
      limit: flags.limit === undefined ? undefined : parseLimit(flags.limit, 200),
    };
    const onePage = Object.values(paging).some((value) => value !== undefined);
    const client = await ApiClient.connect(flags);
    const detail = await fetchSession(client, sessionId, flags.initiator, paging, onePage);
    if (flags.output === 'json') return printJson(detail);
    await writeText(process.stdout, renderTimeline(detail, terminalOf(), { full: flags.full === true }));
  });
}

/** One page of threads, or every page merged into one response of the same shape. */
async function fetchSession(
  client: ApiClient,
  sessionId: string,
  initiator: string | undefined,
  paging: Record<string, string | number | undefined>,
  onePage: boolean,
): Promise<SessionDetail> {
  const path = `/api/v2/aibridge/sessions/${encodeURIComponent(sessionId)}`;
  const first = await client.get<SessionDetail>(path, { initiator, ...paging, limit: paging.limit ?? 200 });
  if (onePage) return first;
  const threads = [...first.threads];
  let last = first;
  while (last.threads.length === 200) {
    const cursor = last.threads.at(-1)?.id;
    // Pinned to the initiator the first page resolved, so every page is the same session.
    last = await client.get<SessionDetail>(path, {
      initiator: first.initiator.id,
      after_id: cursor,
      limit: 200,
    });
    threads.push(...last.threads);
  }
  return { ...first, ...(last.page_ended_at ? { page_ended_at: last.page_ended_at } : {}), threads };
}
