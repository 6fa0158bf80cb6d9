import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import type { AuditEntry, AuditList } from '../api/types.js';
import { columnsFor, DataTable } from '../components/DataTable.js';
import { ErrorState, Loading } from '../components/States.js';
import { Time } from '../components/Time.js';
import { AuditDiff } from './audit/AuditDiff.js';

const PAGE = 50;

/** Pages of the audit log for a `q`, newest first, each after the last entry of the one before. */
function useAudit(q: string) {
  return useInfiniteQuery({
    queryKey: ['audit', q],
    queryFn: ({ pageParam }) => api<AuditList>('audit', { params: { q, limit: PAGE, after_id: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.entries.length < PAGE ? undefined : last.entries.at(-1)?.id),
  });
}

/** Owners' and auditors' page: who changed what, when and from where, with each change's diff. */
export function AuditPage() {
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const audit = useAudit(q);
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQ(draft.trim());
  };
  const col = columnsFor<AuditEntry>();
  const columns = col.columns([
    col.display({ id: 'time', header: 'Time', cell: ({ row }) => <Time iso={row.original.time} /> }),
    col.display({ id: 'actor', header: 'Who', cell: ({ row }) => row.original.actor.username }),
    col.display({ id: 'action', header: 'Action', cell: ({ row }) => <code>{row.original.action}</code> }),
    col.display({
      id: 'target',
      header: 'Target',
      cell: ({ row }) => `${row.original.target.type} ${row.original.target.id}`.trim(),
    }),
    col.display({ id: 'changes', header: 'Changes', cell: ({ row }) => <AuditDiff entry={row.original} /> }),
    col.display({ id: 'from', header: 'From', cell: ({ row }) => row.original.ip }),
  ]);
  const entries = audit.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <>
      <h1>Audit log</h1>
      <form className="audit-search" aria-label="Filter the audit log" onSubmit={search}>
        <label htmlFor="audit-q">Filter</label>
        <input
          id="audit-q"
          value={draft}
          placeholder="actor:alice action:token.* target:provider since:&quot;2026-12-01T00:00:00Z&quot;"
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {audit.isError ? (
        <ErrorState error={audit.error} retry={() => audit.refetch()} />
      ) : !audit.data ? (
        <Loading active={audit.isPending} />
      ) : (
        <>
          <p className="muted">{audit.data.pages[0]?.count ?? 0} entries</p>
          <DataTable
            caption="Audit entries"
            columns={columns}
            data={entries}
            rowKey={(e) => e.id}
            columnClass={{ from: 'optional' }}
          />
          {audit.hasNextPage ? (
            <button
              type="button"
              className="button"
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              Older entries
            </button>
          ) : null}
        </>
      )}
    </>
  );
}
