import type { ReactNode } from 'react';
import { PAGE_SIZE } from '../api/queries.js';
import { Pager } from './Pager.js';
import { Empty, ErrorState, Loading } from './States.js';
import type { ListParams } from './useListParams.js';

interface PagedListProps<T> {
  /** The page's query as TanStack Query reports it. */
  query: {
    data: unknown;
    isError: boolean;
    error: unknown;
    isPending: boolean;
    isPlaceholderData: boolean;
    refetch: () => unknown;
  };
  rows: T[];
  count: number;
  params: ListParams;
  /** The cursor that fetches the rows after this one. */
  cursor: (row: T) => string;
  loadingLabel: string;
  emptyTitle: string;
  /** What the empty state adds when nothing is filtered (nothing recorded yet). */
  emptyHint?: string;
  children: (rows: T[], busy: boolean) => ReactNode;
}

/**
 * The states every cursor-paged list goes through — error, slow first load, empty, rows —
 * and the pager under the rows. The previous page stays on screen, dimmed, while the next loads.
 */
export function PagedList<T>(props: PagedListProps<T>) {
  const { query, rows, count, params } = props;
  if (query.isError && !query.data) return <ErrorState error={query.error} retry={() => query.refetch()} />;
  if (!query.data) return <Loading active={query.isPending} label={props.loadingLabel} />;
  if (rows.length === 0) {
    const filtered = Boolean(params.filter) || params.range !== 'all';
    return (
      <Empty title={props.emptyTitle}>{filtered ? 'Nothing matches these filters.' : props.emptyHint}</Empty>
    );
  }
  const last = rows[rows.length - 1];
  return (
    <>
      {props.children(rows, query.isPlaceholderData)}
      <Pager
        page={params.page}
        pageSize={PAGE_SIZE}
        shown={rows.length}
        total={count}
        hasNext={last !== undefined && (params.page + 1) * PAGE_SIZE < count}
        onFirst={params.first}
        onPrevious={params.previous}
        onNext={() => last !== undefined && params.next(props.cursor(last))}
      />
    </>
  );
}
