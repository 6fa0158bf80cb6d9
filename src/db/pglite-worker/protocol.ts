/** What the gateway's thread asks of the embedded database's worker. */
export type Request =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'prepared'; name: string; text: string; params: unknown[] }
  | { id: number; op: 'listen'; channel: string }
  | { id: number; op: 'close' };

/** A query's result as it crosses threads (rows are structured-cloned). */
export interface WireResult {
  rows: unknown[];
  affectedRows: number | undefined;
}

/** A database error as it crosses threads: the message and PostgreSQL's fields (code, detail…). */
export interface WireError {
  message: string;
  fields: Record<string, string | number | undefined>;
}

/** What the worker sends back: an answer to one request, a notification, or its start-up outcome. */
export type Reply =
  | { id: number; ok: true; result: WireResult | undefined }
  | { id: number; ok: false; error: WireError }
  | { op: 'notify'; channel: string; payload: string }
  | { op: 'ready' }
  | { op: 'failed'; error: WireError };

/** What the worker is started with. */
export interface WorkerOptions {
  dataDir: string | undefined;
}

/** PostgreSQL's error fields worth keeping across the thread boundary (sqlState reads `code`). */
const FIELDS = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
] as const;

/** Flattens any thrown value into its message and PostgreSQL fields. */
export function toWireError(error: unknown): WireError {
  const fields: WireError['fields'] = {};
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>;
    for (const key of FIELDS) {
      const value = record[key];
      if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
    }
  }
  return { message: error instanceof Error ? error.message : String(error), fields };
}

/** A database error rebuilt on the gateway's thread, with the same `code` and fields as PGlite's. */
export class EmbeddedDatabaseError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    Object.assign(this, wire.fields);
  }
}

/** What requests lose when the worker dies: SQLSTATE 08006 (connection failure), the outage path. */
export function workerLost(detail: string): EmbeddedDatabaseError {
  return new EmbeddedDatabaseError({
    message: `Connection terminated: the embedded database worker stopped (${detail})`,
    fields: { code: '08006' },
  });
}
