/**
 * How every `aibridge` command prints results. Conventions for new commands (spend, prices,
 * budgets, … follow them):
 *
 * - stdout carries only the result; notes and progress go to stderr; a failure is thrown as
 *   a CliError (exit 1) or UsageError (exit 2) and main prints it as one line on stderr.
 * - A listing takes `-o, --output table|json|ndjson|csv` (addOutputFlag in flags.ts) and is
 *   printed through a `Listing`: `table` columns for people, `csv` columns for programs, and
 *   the API's own objects for json and ndjson.
 * - table: local times, compact numbers (format.ts), one line per row, the `flex` column cut
 *   to the terminal width; colour only on a TTY and never with NO_COLOR (terminal.ts).
 * - json: the API's array exactly (e.g. the `results` or `sessions` array), indented; ndjson:
 *   one API object per line; csv: RFC 4180 with a header row, times RFC 3339 UTC as the API
 *   sends them, lists and objects as JSON text, absent values as empty cells.
 * - Rows go through a `RowSink`, page by page, so `--all` and exports never hold everything.
 */
import type { Writable } from 'node:stream';
import Papa from 'papaparse';
import { renderTable } from './table.js';
import { type Terminal, terminalOf } from './terminal.js';

/** The `--output` formats. */
export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A column of the human table. */
export interface Column<T> {
  header: string;
  cell(row: T, terminal: Terminal): string;
  align?: 'left' | 'right';
  /** Takes the width the other columns leave (at most one per table: the long text). */
  flex?: boolean;
  /** May be cut down to this many columns (with `…`) when the table is wider than the terminal. */
  minWidth?: number;
}

/** A column of the CSV output; null and undefined become empty cells, objects JSON text. */
interface CsvColumn<T> {
  name: string;
  value(row: T): unknown;
}

/** How one kind of row is printed in each format. */
export interface Listing<T> {
  /** What the rows are, for the note when there are none ("sessions"). */
  noun: string;
  table: Array<Column<T>>;
  csv: Array<CsvColumn<T>>;
}

/** Where rows go, a page at a time. */
export interface RowSink<T> {
  write(rows: T[]): Promise<void>;
  /** Finishes the output (closing brackets, the buffered table) and says how many rows went out. */
  end(): Promise<number>;
}

/** Options of a sink: where to, and whether a CSV header is written (not when appending). */
export interface SinkOptions {
  out?: Writable;
  terminal?: Terminal;
  csvHeader?: boolean;
}

/** Writes text and waits when the stream asks to (flat memory on slow pipes and disks). */
export async function writeText(out: Writable, text: string): Promise<void> {
  if (text === '' || out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      out.off('drain', onDrain);
      reject(error);
    };
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/** A sink for `format`: streaming for json, ndjson and csv; the table is laid out at the end. */
export function rowSink<T>(format: OutputFormat, listing: Listing<T>, options: SinkOptions = {}): RowSink<T> {
  const out = options.out ?? process.stdout;
  let count = 0;
  const counted = (write: (rows: T[]) => Promise<void>) => async (rows: T[]) => {
    count += rows.length;
    await write(rows);
  };
  switch (format) {
    case 'json':
      return {
        write: counted((rows) =>
          writeText(
            out,
            rows.map((row, i) => `${count - rows.length + i === 0 ? '[\n' : ',\n'}${indent(row)}`).join(''),
          ),
        ),
        end: async () => {
          await writeText(out, count === 0 ? '[]\n' : '\n]\n');
          return count;
        },
      };
    case 'ndjson':
      return {
        write: counted((rows) => writeText(out, rows.map((row) => `${JSON.stringify(row)}\n`).join(''))),
        end: async () => count,
      };
    case 'csv': {
      let header = options.csvHeader ?? true;
      const columns = listing.csv.map((c) => c.name);
      const writeHeader = () => {
        const text = header ? csvLines([columns]) : '';
        header = false;
        return text;
      };
      return {
        write: counted((rows) =>
          writeText(
            out,
            writeHeader() + csvLines(rows.map((row) => listing.csv.map((c) => csvCell(c.value(row))))),
          ),
        ),
        end: async () => {
          await writeText(out, writeHeader());
          return count;
        },
      };
    }
    default: {
      const buffered: T[] = [];
      return {
        write: counted(async (rows) => {
          buffered.push(...rows);
        }),
        end: async () => {
          if (buffered.length === 0) {
            process.stderr.write(`No ${listing.noun} found.\n`);
            return 0;
          }
          await writeText(out, renderTable(listing.table, buffered, options.terminal ?? terminalOf()));
          return count;
        },
      };
    }
  }
}

/** Prints rows already in hand (one page, or a list the API returns whole). */
export async function printRows<T>(rows: T[], format: OutputFormat, listing: Listing<T>): Promise<void> {
  const sink = rowSink(format, listing);
  await sink.write(rows);
  await sink.end();
}

/** Prints one value as indented JSON (what `--output json` shows for a single object). */
export function printJson(value: unknown): Promise<void> {
  return writeText(process.stdout, `${JSON.stringify(value, null, 2)}\n`);
}

/** JSON.stringify(array, null, 2) item by item: each item indented one level. */
function indent(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** RFC 4180 records, each ended by `\n` (papaparse: several times faster than csv-stringify on JSON-heavy cells). */
function csvLines(records: unknown[][]): string {
  return records.length === 0 ? '' : `${Papa.unparse(records, { newline: '\n' })}\n`;
}

function csvCell(value: unknown): string | number | boolean {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}
