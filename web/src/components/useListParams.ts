import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { joinQueries, setQueryValue } from '../lib/query.js';
import { parsePreset, presetStart, type RangePreset } from '../lib/range.js';

interface PageState {
  /** Cursors of the pages before this one ('' = the first page). */
  stack: string[];
}

/** What the filter bar and pager of a list page read from, and write to, the URL. */
export interface ListParams {
  /** The `q` the person typed or picked (`filter` in the URL). */
  filter: string;
  range: RangePreset;
  after: string | undefined;
  page: number;
  /** `filter` plus the range preset's start: what the API gets. */
  apiQuery: string;
  setFilter(q: string): void;
  setRange(range: RangePreset): void;
  next(cursor: string): void;
  previous(): void;
  first(): void;
}

/**
 * Keeps a list page's filter, date range and cursor in the URL, so a view can be shared,
 * bookmarked and reloaded; the cursors of earlier pages ride in the history state.
 */
export function useListParams(defaultRange: RangePreset = 'all'): ListParams {
  const [search] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const filter = search.get('filter') ?? '';
  const range = parsePreset(search.get('range'), defaultRange);
  const after = search.get('after') ?? undefined;
  const stack = ((location.state as PageState | null)?.stack ?? []).filter((c) => typeof c === 'string');
  const page = after ? Math.max(stack.length, 1) : 0;

  const go = (changes: { filter?: string; range?: RangePreset; after?: string }, state?: PageState) => {
    const params = new URLSearchParams();
    const nextFilter = changes.filter ?? filter;
    const nextRange = changes.range ?? range;
    if (nextFilter) params.set('filter', nextFilter);
    if (nextRange !== defaultRange) params.set('range', nextRange);
    if (changes.after) params.set('after', changes.after);
    const query = params.toString();
    navigate({ pathname: location.pathname, search: query ? `?${query}` : '' }, { state: state ?? null });
  };

  // Whole minutes, so the query key (and the cache) holds still between renders.
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const start = presetStart(range, minute);
  return {
    filter,
    range,
    after,
    page,
    apiQuery: joinQueries(filter, start ? `started_after:"${start}"` : undefined),
    setFilter: (q) => go({ filter: q, after: undefined }),
    setRange: (next) => {
      // A preset and explicit times would contradict each other: the newer choice wins.
      const cleared =
        next === 'all'
          ? filter
          : setQueryValue(setQueryValue(filter, 'started_after', undefined), 'started_before', undefined);
      go({ filter: cleared, range: next, after: undefined });
    },
    next: (cursor) => go({ after: cursor }, { stack: [...stack, after ?? ''] }),
    previous: () => {
      const previous = stack[stack.length - 1];
      go({ after: previous || undefined }, { stack: stack.slice(0, -1) });
    },
    first: () => go({ after: undefined }),
  };
}
