import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsyncRecord } from '../recorder/types.js';
import { encodeEntry, type StartEntry } from './format.js';
import { SPOOL_SUFFIX, spoolHeader, syncFolder } from './spool.js';

/** One journal file: appended while the database is away, replayed once all its interceptions ended. */
class Segment {
  readonly open = new Set<string>();
  private pending: string[] = [];
  private waiters: Array<() => void> = [];
  private failures: Array<(error: unknown) => void> = [];
  private flushing: Promise<void> | undefined;
  /** No new interceptions: the database is back, it is sealed once the open ones end. */
  draining = false;

  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(dir: string): Promise<Segment> {
    mkdirSync(dir, { recursive: true });
    const id = `journal-${new Date().toISOString().replace(/[:.]/g, '')}-${randomUUID()}`;
    const handle = await open(join(dir, `${id}${SPOOL_SUFFIX}`), 'wx', 0o600);
    await handle.write(spoolHeader(id));
    await handle.sync();
    syncFolder(dir);
    return new Segment(`${id}${SPOOL_SUFFIX}`, handle);
  }

  /** Queues a line; the promise settles once it (and every line before it) is on disk. */
  append(line: string): Promise<void> {
    this.pending.push(line);
    const synced = new Promise<void>((resolve, reject) => {
      this.waiters.push(resolve);
      this.failures.push(reject);
    });
    this.flushing ??= this.flush();
    return synced;
  }

  /** Group commit: whatever queued while the previous fsync ran goes in one write and one fsync. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending.join('');
      const waiters = this.waiters;
      const failures = this.failures;
      this.pending = [];
      this.waiters = [];
      this.failures = [];
      try {
        await this.handle.write(lines);
        await this.handle.datasync();
        for (const resolve of waiters) resolve();
      } catch (error) {
        for (const reject of failures) reject(error);
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }
}

/**
 * The outage journal: while PostgreSQL is unreachable, each interception's start is appended
 * and fsync'd here before its request goes upstream (the same promise the database start row
 * keeps), and its later records follow it. The folder's size is bounded: a start that would
 * pass `maxBytes` is refused (the gateway answers 503); records of interceptions already
 * admitted are always written, so an admitted interception is never cut short.
 */
export class OutageJournal {
  private active: Segment | undefined;
  private opening: Promise<Segment> | undefined;
  private readonly draining = new Set<Segment>();
  private readonly owners = new Map<string, Segment>();
  private bytes: number;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    /** Told each time a segment is sealed (every interception in it ended): it can be replayed. */
    private readonly onSealed: () => void,
  ) {
    this.bytes = folderBytes(dir);
  }

  /** Bytes waiting in the spool folder (journal and shutdown files). */
  get depth(): number {
    return this.bytes;
  }

  /** True while a new interception's start still fits under the bound (`/readyz` reads it). */
  get hasRoom(): boolean {
    return this.bytes < this.maxBytes;
  }

  /** Names of segments still being written; a replay leaves them alone. */
  get writing(): ReadonlySet<string> {
    const names = new Set([...this.draining].map((segment) => segment.name));
    if (this.active) names.add(this.active.name);
    return names;
  }

  /** Durably journals a start; false (nothing written) when the bound leaves no room. */
  async start(entry: StartEntry): Promise<boolean> {
    const line = encodeEntry(entry);
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.maxBytes) return false;
    this.opening ??= Segment.create(this.dir);
    const segment = this.active ?? (await this.opening);
    this.active = segment;
    this.bytes += size;
    segment.open.add(entry.id);
    this.owners.set(entry.id, segment);
    await segment.append(line);
    return true;
  }

  /** True when the interception's start is in the journal, so its records go there too. */
  owns(interceptionId: string): boolean {
    return this.owners.has(interceptionId);
  }

  /** Appends a record of a journaled interception; its end may seal a draining segment. */
  append(record: AsyncRecord): Promise<void> {
    const segment = this.owners.get(record.interceptionId);
    if (!segment) throw new Error(`interception ${record.interceptionId} is not in the journal`);
    const line = encodeEntry(record);
    this.bytes += Buffer.byteLength(line);
    const synced = segment.append(line);
    if (record.kind === 'end') {
      this.owners.delete(record.interceptionId);
      segment.open.delete(record.interceptionId);
      if (segment.draining && segment.open.size === 0) void this.seal(segment);
    }
    return synced;
  }

  /** The database is back: new interceptions go to it; segments seal as their interceptions end. */
  drain(): void {
    const segment = this.active;
    this.active = undefined;
    this.opening = undefined;
    if (!segment) return;
    segment.draining = true;
    this.draining.add(segment);
    if (segment.open.size === 0) void this.seal(segment);
  }

  /** A replay removed files of this many bytes. */
  freed(bytes: number): void {
    this.bytes = Math.max(0, this.bytes - bytes);
  }

  /** Flushes and closes every segment (they are replayed at the next start). */
  async close(): Promise<void> {
    const segments = [...this.draining, ...(this.active ? [this.active] : [])];
    this.active = undefined;
    this.draining.clear();
    await Promise.all(segments.map((segment) => segment.close()));
  }

  private async seal(segment: Segment): Promise<void> {
    await segment.close();
    this.draining.delete(segment);
    this.onSealed();
  }
}

function folderBytes(dir: string): number {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(SPOOL_SUFFIX))
      .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}
