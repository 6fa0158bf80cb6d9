import { Link, useNavigate } from 'react-router';
import { sessionCursor, useSessions } from '../api/queries.js';
import type { Session, User } from '../api/types.js';
import { Cost } from '../components/Cost.js';
import { columnsFor, DataTable } from '../components/DataTable.js';
import { FilterBar } from '../components/FilterBar.js';
import { PagedList } from '../components/PagedList.js';
import { Time } from '../components/Time.js';
import { Tokens } from '../components/Tokens.js';
import { UserChip } from '../components/UserChip.js';
import { useListParams } from '../components/useListParams.js';
import { truncate } from '../lib/format.js';
import { MyBudgets } from './budgets/MyBudgets.js';

/** Where a session's detail lives; the initiator disambiguates ids two users share. */
export function sessionPath(session: { id: string; initiator: { id: string } }): string {
  return `/sessions/${encodeURIComponent(session.id)}?initiator=${session.initiator.id}`;
}

const col = columnsFor<Session>();
const columns = col.columns([
  col.display({
    id: 'prompt',
    header: 'Last prompt',
    cell: ({ row }) => {
      const prompt = row.original.last_prompt;
      return (
        <>
          <Link to={sessionPath(row.original)} className="prompt-link" title={prompt}>
            {prompt ? truncate(prompt, 90) : <span className="muted">(no prompt recorded)</span>}
          </Link>
          <span className="phone-only muted small">
            <Time iso={row.original.last_active_at ?? row.original.started_at} />
          </span>
        </>
      );
    },
  }),
  col.display({ id: 'user', header: 'User', cell: ({ row }) => <UserChip user={row.original.initiator} /> }),
  col.display({
    id: 'provider',
    header: 'Provider',
    cell: ({ row }) =>
      row.original.providers.map((p) => (
        <span key={p} className="badge">
          {p}
        </span>
      )),
  }),
  col.display({
    id: 'client',
    header: 'Client',
    cell: ({ row }) => <span className="badge badge-client">{row.original.client || 'Unknown'}</span>,
  }),
  col.display({
    id: 'tokens',
    header: 'In / out tokens',
    cell: ({ row }) => <Tokens usage={row.original.token_usage_summary} />,
  }),
  col.display({
    id: 'cost',
    header: 'Cost',
    cell: ({ row }) => (
      <Cost micros={row.original.cost_micros} unpriced={row.original.unpriced_interceptions} />
    ),
  }),
  col.display({
    id: 'threads',
    header: () => (
      <abbr title="A thread is a multi-part interaction between human and agent involving an initial human prompt and a subsequent agentic loop.">
        Threads
      </abbr>
    ),
    cell: ({ row }) => <span className="num">{row.original.threads}</span>,
  }),
  col.display({
    id: 'active',
    header: 'Last active',
    cell: ({ row }) => <Time iso={row.original.last_active_at ?? row.original.started_at} />,
  }),
]);
const columnClass = {
  provider: 'optional',
  client: 'optional',
  threads: 'optional num',
  tokens: 'num',
  active: 'optional nowrap',
};

/** Home: the agent sessions people ran through aibridge, latest activity first. */
export function SessionsPage({ me }: { me: User }) {
  const params = useListParams();
  const query = useSessions(params.apiQuery, params.after);
  const navigate = useNavigate();
  return (
    <>
      <h1>Sessions</h1>
      {me.role === 'member' ? <MyBudgets /> : null}
      <FilterBar params={params} canPickUser={me.role !== 'member'} presets="sessions" />
      <PagedList
        query={query}
        rows={query.data?.sessions ?? []}
        count={query.data?.count ?? 0}
        params={params}
        cursor={sessionCursor}
        loadingLabel="Loading sessions…"
        emptyTitle="No session logs available"
        emptyHint="Sessions appear here once agents send requests through aibridge."
      >
        {(sessions, busy) => (
          <DataTable
            caption="Sessions"
            columns={columns}
            data={sessions}
            rowKey={(s) => `${s.initiator.id}/${s.id}`}
            columnClass={columnClass}
            onRowClick={(s) => navigate(sessionPath(s))}
            busy={busy}
          />
        )}
      </PagedList>
    </>
  );
}
