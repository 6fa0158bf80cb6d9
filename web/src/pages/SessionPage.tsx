import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useSessionRow, useSessionThreads } from '../api/queries.js';
import type { Thread } from '../api/types.js';
import { ErrorState, Loading } from '../components/States.js';
import { prettyJson } from '../lib/format.js';
import { countMatches } from '../lib/search.js';
import { Summary } from './session/Summary.js';
import { ThreadView } from './session/ThreadView.js';

/** Every piece of a thread the search box looks through, as it is shown (arguments pretty-printed). */
function threadText(thread: Thread): string[] {
  return [
    thread.prompt ?? '',
    ...thread.agentic_actions.flatMap((a) => [
      ...a.thinking.map((t) => t.text),
      ...a.tool_calls.flatMap((c) => [c.tool, prettyJson(c.input), c.invocation_error ?? '']),
    ]),
  ];
}

/** One session: its summary, and its threads loaded page by page as the person scrolls. */
export function SessionPage() {
  const id = useParams().id ?? '';
  const initiator = useSearchParams()[0].get('initiator') ?? undefined;
  const threads = useSessionThreads(id, initiator);
  const row = useSessionRow(id, initiator);
  const [search, setSearch] = useState('');
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = threads;

  // Load the next page when the end of the timeline scrolls into view, and everything
  // while searching, so the match count covers the whole session.
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage) return;
    if (search && !isFetchingNextPage) {
      void fetchNextPage();
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, search]);

  const loaded = useMemo(() => threads.data?.pages.flatMap((p) => p.threads) ?? [], [threads.data]);
  const toolCalls = loaded.reduce(
    (n, t) => n + t.agentic_actions.reduce((m, a) => m + a.tool_calls.length, 0),
    0,
  );
  const matches = useMemo(
    () =>
      search
        ? loaded.reduce((n, t) => n + threadText(t).reduce((m, s) => m + countMatches(s, search), 0), 0)
        : 0,
    [loaded, search],
  );
  const first = threads.data?.pages[0];

  if (threads.isError) return <ErrorState error={threads.error} retry={() => threads.refetch()} />;
  if (!first) return <Loading active={threads.isPending} label="Loading session…" />;
  return (
    <>
      <p className="back">
        <Link to="/sessions" className="back-link">
          ← Sessions
        </Link>
      </p>
      <h1 className="break">{first.client ? `${first.client} session` : 'Session'}</h1>
      <div className="session-layout">
        <Summary
          detail={first}
          row={row.data}
          loadedThreads={loaded.length}
          toolCalls={toolCalls}
          complete={!hasNextPage}
        />
        <section className="timeline" aria-label="Threads">
          <search className="timeline-search">
            <label htmlFor="session-search" className="visually-hidden">
              Search this session
            </label>
            <input
              id="session-search"
              type="search"
              placeholder="Search prompts, tool calls and thinking"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
            <output aria-live="polite" className="muted small" htmlFor="session-search">
              {search
                ? `${matches} ${matches === 1 ? 'match' : 'matches'}${hasNextPage ? ' so far' : ''}`
                : ''}
            </output>
          </search>
          {loaded.length === 0 ? <p className="muted">This session has no threads.</p> : null}
          {loaded.map((thread, index) => (
            <ThreadView key={thread.id} thread={thread} index={index} search={search} />
          ))}
          <div ref={sentinel} className="sentinel">
            {isFetchingNextPage ? <Loading active label="Loading more threads…" /> : null}
          </div>
        </section>
      </div>
    </>
  );
}
