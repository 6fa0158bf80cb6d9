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
  /** The range when the URL names none ("any time" on lists, the last week on usage). */
  defaultRange: RangePreset;
  after: string | undefined;
  page: number;
  /** `filter` plus the range preset's start: what the API gets. */
  apiQuery: string;
  /** A new filter, or a change to the current one (read from the URL when the change is made). */
  setFilter(q: string | ((current: string) => string)): void;
  setRange(range: RangePreset): void;
  next(cursor: string): void;
  previous(): void;
  first(): void;
}

/**
 * What a list page's URL asks the API for: its filter and range preset joined into one `q`,
 * and the cursor. Pure, so the first page can be fetched before the page itself renders.
 */
export function listQueryOf(search: URLSearchParams, defaultRange: RangePreset) {
  const filter = search.get('filter') ?? '';
  const range = parsePreset(search.get('range'), defaultRange);
  const after = search.get('after') ?? undefined;
  // Whole minutes, so the query key (and the cache) holds still between renders.
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const start = presetStart(range, minute);
  return {
    filter,
    range,
    defaultRange,
    after,
    apiQuery: joinQueries(filter, start ? `started_after:"${start}"` : undefined),
  };
}

/**
 * Keeps a list page's filter, date range and cursor in the URL, so a view can be shared,
 * bookmarked and reloaded; the cursors of earlier pages ride in the history state.
 */
export function useListParams(defaultRange: RangePreset = 'all'): ListParams {
  const [search] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { filter, range, after, apiQuery } = listQueryOf(search, defaultRange);
  const stack = ((location.state as PageState | null)?.stack ?? []).filter((c) => typeof c === 'string');
  const page = after ? Math.max(stack.length, 1) : 0;

  // Navigations render in a transition, so two quick changes could both start from this render's
  // values; each change starts from the URL as it is now instead.
  const live = () => {
    const current = new URLSearchParams(window.location.search);
    return { filter: current.get('filter') ?? '', range: parsePreset(current.get('range'), defaultRange) };
  };
  const go = (changes: { filter?: string; range?: RangePreset; after?: string }, state?: PageState) => {
    const params = new URLSearchParams();
    const nextFilter = changes.filter ?? live().filter;
    const nextRange = changes.range ?? live().range;
    if (nextFilter) params.set('filter', nextFilter);
    if (nextRange !== defaultRange) params.set('range', nextRange);
    if (changes.after) params.set('after', changes.after);
    const query = params.toString();
    navigate({ pathname: location.pathname, search: query ? `?${query}` : '' }, { state: state ?? null });
  };

  return {
    filter,
    range,
    defaultRange,
    after,
    page,
    apiQuery,
    setFilter: (q) => go({ filter: typeof q === 'function' ? q(live().filter) : q, after: undefined }),
    setRange: (next) => {
      // A preset and explicit times would contradict each other: the newer choice wins.
      const current = live().filter;
      const cleared =
        next === 'all'
          ? current
          : setQueryValue(setQueryValue(current, 'started_after', undefined), 'started_before', undefined);
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
