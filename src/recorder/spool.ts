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
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { writeBatchIn } from './batch-sql.js';
import type { AsyncRecord } from './types.js';

const SUFFIX = '.jsonl';

/** What a start-up replay wrote back into the database. */
export interface SpoolReplay {
  files: number;
  records: number;
}

/**
 * Where records go that the database could not take before the process stopped (SIGTERM while
 * PostgreSQL is down): one append-only, fsync'd file per shutdown under `<data dir>/spool`,
 * replayed into the database at the next start before traffic is accepted. A replay commits
 * its records together with a marker row naming the file, so a crash between commit and delete
 * never applies a file twice.
 */
export class RecordSpool {
  constructor(private readonly dir: string) {}

  /** Writes the records durably (temp file, fsync, rename, fsync of the folder); returns its path. */
  write(records: readonly AsyncRecord[]): string {
    mkdirSync(this.dir, { recursive: true });
    const id = randomUUID();
    const path = join(this.dir, `${id}${SUFFIX}`);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ spool: id, records: records.length })}\n`);
      for (const record of records) writeSync(fd, `${JSON.stringify(serialise(record))}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return path;
  }

  /** Replays every spooled file, oldest name first; a file the database rejects is kept and logged. */
  async replay(db: Database, log: Logger): Promise<SpoolReplay> {
    let files: string[];
    try {
      files = readdirSync(this.dir)
        .filter((name) => name.endsWith(SUFFIX))
        .sort();
    } catch {
      return { files: 0, records: 0 };
    }
    const done: SpoolReplay = { files: 0, records: 0 };
    for (const name of files) {
      const path = join(this.dir, name);
      const [header, ...lines] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      const id = (JSON.parse(header ?? '{}') as { spool?: string }).spool ?? name;
      const records = lines.map((line) => revive(JSON.parse(line) as Serialised));
      try {
        await this.replayFile(db, log, id, records);
      } catch (error) {
        log.error({ err: error, file: path }, 'could not replay a spool file; it is kept for the next start');
        continue;
      }
      rmSync(path, { force: true });
      done.files++;
      done.records += records.length;
    }
    return done;
  }

  private async replayFile(db: Database, log: Logger, id: string, records: AsyncRecord[]): Promise<void> {
    await db.kysely.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
          INSERT INTO aibridge_spool_replays (id, records) VALUES (${id}, ${records.length})
          ON CONFLICT (id) DO NOTHING RETURNING id`.execute(trx);
      if (rows.length > 0) await writeBatchIn(trx, records);
      else log.warn({ spool: id }, 'spool file already replayed; removing it');
    });
  }
}

type Serialised = Record<string, unknown> & { kind: AsyncRecord['kind'] };

function serialise(record: AsyncRecord): Serialised {
  if (record.kind !== 'prompt' || typeof record.prompt === 'string') return { ...record };
  return { ...record, prompt: record.prompt() };
}

function revive(value: Serialised): AsyncRecord {
  const dates = value.kind === 'end' ? ['endedAt'] : value.kind === 'start' ? [] : ['createdAt'];
  const revived: Record<string, unknown> = { ...value };
  for (const key of dates) revived[key] = new Date(String(value[key]));
  // any: the shape was written by serialise() from an AsyncRecord of this same kind.
  return revived as unknown as AsyncRecord;
}
