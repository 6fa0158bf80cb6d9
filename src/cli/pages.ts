import type { ApiClient } from './api-client.js';
import { type Listing, type OutputFormat, rowSink } from './output.js';

/** One page of a list: the API's `count` (every match, whatever the page) and its rows. */
export interface Page<T> {
  count: number;
  rows: T[];
}

/** How to walk a keyset-paginated list of the API. */
export interface CursorWalk<T> {
  path: string;
  /** Filters and the page size, sent with every page. */
  query: Record<string, string | number | undefined>;
  /** Where the rows are in the body (`results`, `sessions`). */
  key: string;
  /** The cursor parameters that follow a row (`{after_id: row.id}`). */
  cursorAfter(row: T): Record<string, string>;
  /** Resume after this cursor instead of starting at the top. */
  start?: Record<string, string | undefined>;
  /** Stop after the first page (a listing without `--all`). */
  onePage?: boolean;
}

/**
 * The pages of a keyset-paginated list, one request ahead: while the caller writes a page,
 * the next is already on its way (its cursor is the page's last row), so an export runs at
 * the speed of the slower side with at most two pages in memory.
 */
export async function* cursorPages<T>(client: ApiClient, walk: CursorWalk<T>): AsyncGenerator<Page<T>> {
  const limit = Number(walk.query.limit ?? 100);
  const fetchPage = async (cursor: Record<string, string | undefined>): Promise<Page<T>> => {
    const body = await client.get<Record<string, unknown>>(walk.path, { ...walk.query, ...cursor });
    return { count: Number(body.count ?? 0), rows: (body[walk.key] ?? []) as T[] };
  };
  let next: Promise<Page<T>> | undefined = fetchPage(walk.start ?? {});
  while (next) {
    const page: Page<T> = await next;
    const last = page.rows.at(-1);
    next =
      !walk.onePage && last !== undefined && page.rows.length >= limit
        ? fetchPage(walk.cursorAfter(last))
        : undefined;
    // A prefetch the caller never asks for (it stopped early) must not become an unhandled rejection.
    next?.catch(() => {});
    yield page;
  }
}

/** The pages of an offset-paginated list (users, models, clients). */
export async function* offsetPages<T>(
  client: ApiClient,
  walk: { path: string; query: Record<string, string | number | undefined>; key?: string; onePage?: boolean },
): AsyncGenerator<Page<T>> {
  const limit = Number(walk.query.limit ?? 100);
  for (let offset = 0; ; ) {
    const body = await client.get<unknown>(walk.path, { ...walk.query, offset: offset || undefined });
    const rows = (walk.key ? (body as Record<string, unknown>)[walk.key] : body) as T[];
    const count = walk.key ? Number((body as Record<string, unknown>).count ?? rows.length) : rows.length;
    yield { count, rows };
    offset += rows.length;
    if (walk.onePage || rows.length < limit) return;
  }
}

/**
 * Prints every page through the format's sink; for a table that shows fewer rows than match,
 * a note on stderr says how to see the rest.
 */
export async function printPages<T>(
  pages: AsyncIterable<Page<T>>,
  format: OutputFormat,
  listing: Listing<T>,
): Promise<void> {
  const sink = rowSink(format, listing);
  let count = 0;
  for await (const page of pages) {
    count = page.count;
    await sink.write(page.rows);
  }
  const shown = await sink.end();
  if (format === 'table' && shown > 0 && count > shown) {
    process.stderr.write(`Showing ${shown} of ${count} ${listing.noun}: --all for every one.\n`);
  }
}
