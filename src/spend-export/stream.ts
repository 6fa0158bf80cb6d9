import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import Papa from 'papaparse';
import type { Schema } from '../db/schema/index.js';
import { type ExportFormat, type ExportGrain, exportColumns } from './formats.js';
import { hourlyLines, interceptionLines, type SpendExportQuery, type SpendLine } from './reader.js';

/** What an export streams: which rows, in which shape. */
export interface SpendExport extends SpendExportQuery {
  format: ExportFormat;
  grain: ExportGrain;
}

const csv = (records: Array<Array<string | number | null | undefined>>) =>
  `${Papa.unparse(records, { newline: '\n' })}\n`;

/**
 * The export as a byte stream of RFC 4180 CSV: the header, then one CSV chunk per page read.
 * `Readable.from` pulls the next page only when the reply's socket has drained what came
 * before, so a slow reader slows the database reads instead of growing a buffer, and a
 * client that goes away stops the reads (the generator is returned). The first page is read
 * before anything is sent, so a query the database rejects (a NUL byte in a filter, on
 * PostgreSQL) is answered with a 4xx instead of a stream cut after its headers.
 */
export async function spendExportStream(db: Kysely<Schema>, spec: SpendExport): Promise<Readable> {
  const columns = exportColumns(spec.format, spec.grain);
  const lines = spec.grain === 'hour' ? hourlyLines(db, spec) : interceptionLines(db, spec);
  const first = await lines.next();
  const rows = (page: SpendLine[]) => csv(page.map((line) => columns.map((c) => c.value(line))));
  async function* chunks(): AsyncGenerator<string> {
    yield csv([columns.map((c) => c.name)]);
    if (first.done) return;
    yield rows(first.value);
    for await (const page of lines) yield rows(page);
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
