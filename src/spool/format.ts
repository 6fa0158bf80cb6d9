import type { AsyncRecord, InterceptionStart } from '../recorder/types.js';

/** An interception's start as the journal keeps it, beside the records that follow it. */
export interface StartEntry extends InterceptionStart {
  kind: 'start';
}

/** One line of a spool file: a start (outage journal only) or a record queued after it. */
export type SpoolEntry = StartEntry | AsyncRecord;

type Serialised = Record<string, unknown> & { kind: SpoolEntry['kind'] };

/**
 * One JSON line. A prompt decoded late is decoded now; a budget hold's settle callback cannot
 * travel, so only its charges do (the replay adds the cost to their periods).
 */
export function encodeEntry(entry: SpoolEntry): string {
  let value: Serialised = { ...entry };
  if (entry.kind === 'prompt' && typeof entry.prompt !== 'string')
    value = { ...entry, prompt: entry.prompt() };
  if (entry.kind === 'end' && entry.budget) value = { ...entry, budget: { charges: entry.budget.charges } };
  return `${JSON.stringify(value)}\n`;
}

const DATE_FIELDS: Record<SpoolEntry['kind'], string> = {
  start: 'startedAt',
  end: 'endedAt',
  prompt: 'createdAt',
  token_usage: 'createdAt',
  tool_usage: 'createdAt',
  thought: 'createdAt',
};

/**
 * Reads one line back; undefined for a torn line (the tail of a journal whose writer was killed
 * mid-append: it was never fsync'd, so no request relied on it).
 */
export function decodeEntry(line: string): SpoolEntry | undefined {
  let value: Serialised;
  try {
    value = JSON.parse(line) as Serialised;
  } catch {
    return undefined;
  }
  const field = DATE_FIELDS[value.kind];
  if (!field) return undefined;
  const revived: Record<string, unknown> = { ...value, [field]: new Date(String(value[field])) };
  if (value.kind === 'end' && value.budget) {
    // Nobody waits on a replayed hold: the process that made it is gone or has settled it.
    revived.budget = { ...(value.budget as object), settle: () => {} };
  }
  // any: the shape was written by encodeEntry() from an entry of this same kind.
  return revived as unknown as SpoolEntry;
}
