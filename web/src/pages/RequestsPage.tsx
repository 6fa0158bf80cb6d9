import { useCallback, useMemo, useState } from 'react';
import { useInterceptions } from '../api/queries.js';
import type { Interception, TokenCounts, User } from '../api/types.js';
import { columnsFor, DataTable } from '../components/DataTable.js';
import { FilterBar } from '../components/FilterBar.js';
import { PagedList } from '../components/PagedList.js';
import { Time } from '../components/Time.js';
import { Tokens } from '../components/Tokens.js';
import { ToolCallView } from '../components/ToolCallView.js';
import { UserChip } from '../components/UserChip.js';
import { useListParams } from '../components/useListParams.js';
import { formatExact, formatSpan, truncate } from '../lib/format.js';

/** Sums an interception's token rows. */
export function sumTokens(rows: TokenCounts[]): Required<TokenCounts> {
  const total = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_write_input_tokens: 0,
  };
  for (const row of rows) {
    total.input_tokens += row.input_tokens;
    total.output_tokens += row.output_tokens;
    total.cache_read_input_tokens += row.cache_read_input_tokens ?? 0;
    total.cache_write_input_tokens += row.cache_write_input_tokens ?? 0;
  }
  return total;
}

function columns(expanded: ReadonlySet<string>, toggle: (id: string) => void) {
  const col = columnsFor<Interception>();
  return col.columns([
    col.display({
      id: 'expand',
      header: () => <span className="visually-hidden">Details</span>,
      cell: ({ row }) => (
        <button
          type="button"
          className="expander"
          aria-expanded={expanded.has(row.original.id)}
          aria-label={`Details of the request at ${row.original.started_at}`}
          onClick={() => toggle(row.original.id)}
        >
          {expanded.has(row.original.id) ? '▾' : '▸'}
        </button>
      ),
    }),
    col.display({ id: 'time', header: 'Time', cell: ({ row }) => <Time iso={row.original.started_at} /> }),
    col.display({
      id: 'user',
      header: 'User',
      cell: ({ row }) => <UserChip user={row.original.initiator} />,
    }),
    col.display({
      id: 'prompt',
      header: 'Prompt',
      cell: ({ row }) => {
        const prompt = row.original.user_prompts[0]?.prompt;
        return (
          <>
            {prompt ? <span title={prompt}>{truncate(prompt, 70)}</span> : <span className="muted">—</span>}
            <span className="phone-only muted small">
              <Time iso={row.original.started_at} />
            </span>
          </>
        );
      },
    }),
    col.display({
      id: 'model',
      header: 'Model',
      cell: ({ row }) => (
        <span className="stack">
          <span className="nowrap">{row.original.model}</span>
          <span className="muted small">{row.original.provider}</span>
        </span>
      ),
    }),
    col.display({
      id: 'client',
      header: 'Client',
      cell: ({ row }) => <span className="badge badge-client">{row.original.client ?? 'Unknown'}</span>,
    }),
    col.display({
      id: 'tokens',
      header: 'In / out tokens',
      cell: ({ row }) => <Tokens usage={sumTokens(row.original.token_usages)} />,
    }),
    col.display({
      id: 'tools',
      header: 'Tool calls',
      cell: ({ row }) => <span className="num">{row.original.tool_usages.length}</span>,
    }),
  ]);
}

const columnClass = {
  time: 'optional nowrap',
  client: 'optional',
  model: 'optional',
  tools: 'optional num',
  tokens: 'num',
  expand: 'narrow',
};

/** The request log: every recorded interception, newest first, each expandable. */
export function RequestsPage({ me }: { me: User }) {
  const params = useListParams();
  const query = useInterceptions(params.apiQuery, params.after);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const tableColumns = useMemo(() => columns(expanded, toggle), [expanded, toggle]);
  return (
    <>
      <h1>Request log</h1>
      <FilterBar params={params} canPickUser={me.role !== 'member'} />
      <PagedList
        query={query}
        rows={query.data?.results ?? []}
        count={query.data?.count ?? 0}
        params={params}
        cursor={(r) => r.id}
        loadingLabel="Loading requests…"
        emptyTitle="No request logs available"
        emptyHint="Requests appear here once agents send them through aibridge."
      >
        {(rows, busy) => (
          <DataTable
            caption="Requests"
            columns={tableColumns}
            data={rows}
            rowKey={(r) => r.id}
            columnClass={columnClass}
            onRowClick={(r) => toggle(r.id)}
            expanded={expanded}
            renderExpanded={(r) => <InterceptionDetail interception={r} />}
            busy={busy}
          />
        )}
      </PagedList>
    </>
  );
}

function InterceptionDetail({ interception }: { interception: Interception }) {
  return (
    <div className="detail">
      <p className="muted small">
        {interception.id} · {interception.provider} ·{' '}
        {formatSpan(interception.started_at, interception.ended_at)}
      </p>
      {interception.user_prompts.map((p) => (
        <section key={p.id}>
          <h3>Prompt</h3>
          <pre className="prompt-text">{p.prompt}</pre>
        </section>
      ))}
      {interception.tool_usages.length > 0 ? (
        <section>
          <h3>Tool calls</h3>
          {interception.tool_usages.map((t) => (
            <ToolCallView key={t.id} call={t} />
          ))}
        </section>
      ) : null}
      <section>
        <h3>Token usage</h3>
        {interception.token_usages.length === 0 ? (
          <p className="muted">No token usage recorded.</p>
        ) : (
          <table className="mini-table">
            <thead>
              <tr>
                <th scope="col">Response</th>
                <th scope="col" className="num">
                  Input
                </th>
                <th scope="col" className="num">
                  Output
                </th>
                <th scope="col" className="num">
                  Cache read
                </th>
                <th scope="col" className="num">
                  Cache write
                </th>
              </tr>
            </thead>
            <tbody>
              {interception.token_usages.map((t) => (
                <tr key={t.id}>
                  <td>
                    <code>{t.provider_response_id}</code>
                  </td>
                  <td className="num">{formatExact(t.input_tokens)}</td>
                  <td className="num">{formatExact(t.output_tokens)}</td>
                  <td className="num">{formatExact(t.cache_read_input_tokens ?? 0)}</td>
                  <td className="num">{formatExact(t.cache_write_input_tokens ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
