import { once } from 'node:events';
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { errorMessage } from '../errors.js';
import { goQuote } from '../search/go-quote.js';
import { addFilterFlags, type FilterFlags, searchQuery } from './activity-flags.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { Interception, Session } from './api-types.js';
import { CliError } from './errors.js';
import { addOutputFlag, parseIdFlag, withExamples } from './flags.js';
import { INTERCEPTION_PAGES, INTERCEPTIONS, SESSION_PAGES, SESSIONS } from './listings.js';
import { type Listing, type RowSink, rowSink } from './output.js';
import { cursorPages, type Page } from './pages.js';
import { exportSummary, progressBar } from './progress.js';
import { registerSpendExport } from './spend-export.js';

type ExportFlags = ApiFlags &
  FilterFlags & { output: 'ndjson' | 'csv'; file?: string; after?: string; afterInitiator?: string };

/** What differs between exporting sessions and interceptions. */
interface ExportKind<T> {
  noun: string;
  path: string;
  key: string;
  listing: Listing<T>;
  /** The cursor after a row, and the flags that resume there. */
  cursorAfter(row: T): Record<string, string>;
  resumeFlags(row: T): string;
  /** The cursor `--after` names. */
  start(flags: ExportFlags): Record<string, string | undefined>;
  /** Rows left after a resumed export's cursor, when the API can tell (for the ETA). */
  remaining?(client: ApiClient, flags: ExportFlags, first: T): Promise<number | undefined>;
}

const PAGE = 1000;

const interceptionsKind: ExportKind<Interception> = {
  noun: 'interceptions',
  ...INTERCEPTION_PAGES,
  listing: INTERCEPTIONS,
  resumeFlags: (row) => `--after ${row.id}`,
  start: (flags) => ({ after_id: parseIdFlag(flags.after, 'after_id') }),
  // Newest first: what is left after the cursor is what started no later than the first row left.
  async remaining(client, flags, first) {
    const q = `${searchQuery({ ...flags, until: undefined, startedBefore: undefined })} started_before:${goQuote(first.started_at)}`;
    const body = await client
      .get<{ count: number }>(this.path, { q: q.trim(), limit: 1 })
      .catch(() => undefined);
    return body?.count;
  },
};

const sessionsKind: ExportKind<Session> = {
  noun: 'sessions',
  ...SESSION_PAGES,
  listing: SESSIONS,
  resumeFlags: (row) => `--after ${row.id} --after-initiator ${row.initiator.id}`,
  start: (flags) => ({
    after_session_id: flags.after,
    after_initiator_id: parseIdFlag(flags.afterInitiator, 'after_initiator_id'),
  }),
};

/**
 * `aibridge export sessions|interceptions`: every matching row, page after page through the
 * API's cursors, as NDJSON or CSV to stdout or a file, with a progress bar on a terminal.
 * Resumable: `--after` starts after a row and appends to the file (no second CSV header).
 */
export function registerExportCommands(program: Command): void {
  const exporter = program
    .command('export')
    .description('Export sessions or interceptions (NDJSON or CSV, resumable), or spend (CSV or FOCUS)');
  withExamples(exporter, ['aibridge export interceptions --since 30d -o csv --file interceptions.csv']);
  for (const kind of [sessionsKind, interceptionsKind] as Array<ExportKind<unknown>>) {
    const command = exporter.command(kind.noun).description(`Export ${kind.noun} matching the filters`);
    addApiFlags(addOutputFlag(addFilterFlags(command, kind.noun), ['ndjson', 'csv']));
    command
      .option('--file <path>', 'write to this file instead of stdout (appended to with --after)')
      .option(
        '--after <id>',
        `resume after this ${kind.noun === 'sessions' ? 'session' : 'interception'} id (the last one exported)`,
      );
    if (kind === (sessionsKind as ExportKind<unknown>)) {
      command
        .option('--session-id <id>', 'only the session(s) with this id')
        .option(
          '--after-initiator <id>',
          "with --after: that session's initiator id, when users share the id",
        );
    }
    withExamples(command, [
      `aibridge export ${kind.noun} --since 30d -o csv --file ${kind.noun}.csv`,
      `aibridge export ${kind.noun} --initiator alice | gzip > alice.ndjson.gz`,
      `aibridge export ${kind.noun} --file ${kind.noun}.ndjson --after <last id>   # resume`,
    ]);
    command.action((flags: ExportFlags) => runExport(kind, flags));
  }
  registerSpendExport(exporter);
}

async function runExport<T>(kind: ExportKind<T>, flags: ExportFlags): Promise<void> {
  const q = searchQuery(flags);
  const start = kind.start(flags);
  const client = await ApiClient.connect(flags);
  const resuming = flags.after !== undefined;
  const file = flags.file === undefined ? undefined : await openOutput(flags.file, resuming);
  const sink = rowSink(flags.output, kind.listing, {
    out: file ?? process.stdout,
    csvHeader: file ? file.bytesWritten === 0 && sizeOf(flags.file as string) === 0 : !resuming,
  });
  const progress = progressBar(kind.noun);
  const began = Date.now();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  const state = { exported: 0, last: undefined as T | undefined };
  try {
    const pages = cursorPages<T>(client, {
      path: kind.path,
      query: { q, limit: PAGE },
      key: kind.key,
      cursorAfter: kind.cursorAfter,
      start,
    });
    for await (const page of pages) {
      if (state.exported === 0) progress.start(await expectedTotal(kind, client, flags, page, resuming));
      await write(sink, page, state);
      progress.update(state.exported);
      if (interrupted) break;
    }
    await sink.end();
    if (file) await close(file);
  } catch (error) {
    progress.stop();
    if (file) await close(file).catch(() => {});
    const hint = state.last === undefined ? '' : `; ${resumeHint(kind, state)}`;
    throw new CliError(`${errorMessage(error)}${hint}`, error instanceof CliError ? error.exitCode : 1);
  } finally {
    process.off('SIGINT', onSignal);
  }
  if (interrupted) {
    progress.stop();
    throw new CliError(`interrupted; ${resumeHint(kind, state)}`, 130);
  }
  progress.stop(exportSummary(kind.noun, state.exported, Date.now() - began, flags.file ?? 'stdout'));
}

async function write<T>(sink: RowSink<T>, page: Page<T>, state: { exported: number; last: T | undefined }) {
  await sink.write(page.rows);
  state.exported += page.rows.length;
  state.last = page.rows.at(-1) ?? state.last;
}

function expectedTotal<T>(
  kind: ExportKind<T>,
  client: ApiClient,
  flags: ExportFlags,
  page: Page<T>,
  resuming: boolean,
): Promise<number | undefined> {
  if (!resuming) return Promise.resolve(page.count);
  const first = page.rows[0];
  return first !== undefined && kind.remaining
    ? kind.remaining(client, flags, first)
    : Promise.resolve(undefined);
}

function resumeHint<T>(kind: ExportKind<T>, state: { exported: number; last: T | undefined }): string {
  const rows = `${state.exported} ${kind.noun} exported`;
  return state.last === undefined ? `${rows}` : `${rows}; resume with ${kind.resumeFlags(state.last)}`;
}

async function openOutput(path: string, append: boolean): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: append ? 'a' : 'w' });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${errorMessage(error)}`);
  }
  return stream;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}
