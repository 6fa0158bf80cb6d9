import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema/index.js';
import type { Logger } from '../log.js';
import { writeBatchIn } from '../recorder/batch-sql.js';
import { startRow } from '../recorder/start-sql.js';
import { cleanJson } from '../recorder/text.js';
import type { AsyncRecord } from '../recorder/types.js';
import { decodeEntry, encodeEntry, type SpoolEntry, type StartEntry } from './format.js';

/** Every spool file ends so; the outage journal's segments too. */
export const SPOOL_SUFFIX = '.jsonl';
/** Lines replayed per transaction: a large journal never becomes one huge statement. */
const CHUNK_LINES = 1000;

/** What a replay wrote back into the database. */
export interface SpoolReplay {
  files: number;
  records: number;
  /** Bytes of the files removed (the outage journal's bound counts them). */
  bytes: number;
  /** Records left out because their user's row is gone from the database (see `replayChunk`). */
  discarded: number;
}

/** The first line of every spool file: its id, which the replay markers are named after. */
export function spoolHeader(id: string): string {
  return `${JSON.stringify({ spool: id })}\n`;
}

/**
 * The folder `<data dir>/spool` of records the database could not take: files written at
 * shutdown (SIGTERM while PostgreSQL is down) and the outage journal's segments (interceptions
 * served while it was unreachable). Each is replayed into the database in chunks; a chunk
 * commits together with a marker row naming it, so a replay cut short by a crash is resumed
 * where it stopped and nothing is applied twice.
 */
export class RecordSpool {
  constructor(readonly dir: string) {}

  /** Writes the records durably (temp file, fsync, rename, fsync of the folder); returns its path. */
  write(records: readonly AsyncRecord[]): string {
    mkdirSync(this.dir, { recursive: true });
    const id = randomUUID();
    const path = join(this.dir, `${id}${SPOOL_SUFFIX}`);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, spoolHeader(id));
      for (const record of records) writeSync(fd, encodeEntry(record));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncFolder(this.dir);
    return path;
  }

  /** Spool files waiting to be replayed, oldest name first, without those still being written. */
  pending(active: ReadonlySet<string> = new Set()): string[] {
    try {
      return readdirSync(this.dir)
        .filter((name) => name.endsWith(SPOOL_SUFFIX) && !active.has(name))
        .sort();
    } catch {
      return [];
    }
  }

  /** Replays every finished file; a file the database rejects is kept (and logged) for the next try. */
  async replay(db: Database, log: Logger, active: ReadonlySet<string> = new Set()): Promise<SpoolReplay> {
    const done: SpoolReplay = { files: 0, records: 0, bytes: 0, discarded: 0 };
    const gone: Discarded = { interceptions: new Set(), users: new Set() };
    for (const name of this.pending(active)) {
      const path = join(this.dir, name);
      const bytes = statSync(path).size;
      const [header = '{}', ...lines] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      const id = (JSON.parse(header) as { spool?: string }).spool ?? name;
      const entries = lines.map(decodeEntry).filter((entry) => entry !== undefined);
      let discarded = 0;
      try {
        for (let chunk = 0; chunk * CHUNK_LINES < entries.length; chunk++) {
          const part = entries.slice(chunk * CHUNK_LINES, (chunk + 1) * CHUNK_LINES);
          discarded += await replayChunk(db, chunk === 0 ? id : `${id}#${chunk}`, part, gone);
        }
      } catch (error) {
        log.error({ err: error, file: path }, 'could not replay a spool file; it is kept for the next try');
        if (db.health.failed(error)) break;
        continue;
      }
      rmSync(path, { force: true });
      done.files++;
      done.records += entries.length - discarded;
      done.discarded += discarded;
      done.bytes += bytes;
    }
    if (done.discarded > 0) {
      // Once per replay, with the count: not once per record, and not again (the files are gone).
      log.warn(
        { records: done.discarded, interceptions: gone.interceptions.size, users: [...gone.users] },
        'replay: discarded journaled records of users no longer in the database',
      );
    }
    return done;
  }
}

/** Fsyncs a folder, so a file just created or renamed in it survives a power cut. */
export function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a replay left out so far: interceptions of users whose row is gone, and their records. */
interface Discarded {
  interceptions: Set<string>;
  users: Set<string>;
}

async function replayChunk(
  db: Database,
  marker: string,
  all: SpoolEntry[],
  gone: Discarded,
): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
        INSERT INTO aibridge_spool_replays (id, records) VALUES (${marker}, ${all.length})
        ON CONFLICT (id) DO NOTHING RETURNING id`.execute(trx);
    if (rows.length === 0) return 0;
    const entries = await withoutMissingUsers(trx, all, gone);
    const starts = entries.filter((entry): entry is StartEntry => entry.kind === 'start');
    if (starts.length > 0) await insertStarts(trx, starts);
    const records = entries.filter((entry): entry is AsyncRecord => entry.kind !== 'start');
    if (records.length > 0) await writeBatchIn(trx, records);
    return all.length - entries.length;
  });
}

/**
 * Leaves out the interceptions whose user row no longer exists, with every record about them.
 * Users are soft-deleted (their row stays, and so do their records, journaled ones included);
 * a row can only be gone if removed outside aibridge, and then the interceptions that referred
 * to it went with it. Without this filter such a record fails its foreign key, and the whole
 * file would be retried, and logged, forever.
 */
async function withoutMissingUsers(
  trx: Transaction<Schema>,
  entries: SpoolEntry[],
  gone: Discarded,
): Promise<SpoolEntry[]> {
  const initiators = new Map<string, string>();
  for (const entry of entries) {
    if (entry.kind === 'start') initiators.set(entry.id, entry.initiatorId);
    else if (entry.kind === 'start_row') initiators.set(entry.interceptionId, entry.row.initiator_id);
  }
  const users = [...new Set(initiators.values())];
  if (users.length > 0) {
    const found = await trx.selectFrom('users').select('id').where('id', 'in', users).execute();
    const present = new Set(found.map((row) => row.id));
    for (const [interception, user] of initiators) {
      if (present.has(user)) continue;
      gone.interceptions.add(interception);
      gone.users.add(user);
    }
  }
  if (gone.interceptions.size === 0) return entries;
  return entries.filter(
    (entry) => !gone.interceptions.has(entry.kind === 'start' ? entry.id : entry.interceptionId),
  );
}

/**
 * Interceptions served during an outage: their rows as the start writer would have made them,
 * except for lineage the database would have looked up (they start threads of their own).
 * An id already present (a start whose insert timed out but committed) is left alone.
 */
async function insertStarts(trx: Transaction<Schema>, starts: StartEntry[]): Promise<void> {
  const rows = cleanJson(starts.map((start) => startRow(start, { hint: undefined, fingerprintSince: null })));
  await sql`
    INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client,
      client_session_id, metadata, started_at, conversation_fingerprint)
    SELECT r.id, r.initiator_id, r.api_key_id, r.provider, r.model, r.client, r.client_session_id,
      r.metadata, r.started_at, r.fingerprint
    FROM json_to_recordset(${rows}::text::json) AS r(id uuid, initiator_id uuid, api_key_id text,
      provider text, model text, client text, client_session_id text, metadata jsonb,
      started_at timestamptz, fingerprint text)
    ON CONFLICT (id) DO NOTHING`.execute(trx);
}
