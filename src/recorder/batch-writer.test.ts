import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
import { type BudgetLimits, QueueBudget } from './budget.js';
import { type AsyncRecord, RecorderOverloadedError } from './types.js';

const log = createLogger('silent');
const end = (n: number): AsyncRecord => ({ kind: 'end', interceptionId: `i${n}`, endedAt: new Date() });
const ids = (batch: readonly AsyncRecord[]) => batch.map((r) => r.interceptionId);

/** A writer whose writes are recorded, and can be made to fail or to wait. */
function harness(options: Partial<BatchWriterOptions & BudgetLimits> = {}) {
  const written: string[][] = [];
  let failWith: Error | undefined;
  let failures = 0;
  let onFailure = () => {};
  let gate: Promise<void> | undefined;
  const budget = new QueueBudget({
    maxRecords: options.maxRecords ?? 50_000,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    admitTimeoutMs: options.admitTimeoutMs ?? 5000,
  });
  const writer = new BatchWriter({
    log,
    lingerMs: 5,
    budget,
    ...options,
    write: async (batch) => {
      if (gate) await gate;
      if (failWith) {
        failures++;
        onFailure();
        throw failWith;
      }
      if (options.write) return options.write(batch);
      written.push(ids(batch));
    },
  });
  return {
    writer,
    budget,
    written,
    fail: (error: Error | undefined) => (failWith = error),
    /** Resolves once a write has failed (at once if one already has). */
    failed: () => (failures > 0 ? Promise.resolve() : new Promise<void>((resolve) => (onFailure = resolve))),
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const sqlError = (code: string) => Object.assign(new Error(`sql ${code}`), { code });

describe('BatchWriter', () => {
  it('writes records that arrive within the linger as one batch, in order', async () => {
    const { writer, written } = harness();
    const seqs = [1, 2, 3].map((n) => writer.add(end(n), 100));
    expect(seqs).toEqual([1, 2, 3]);
    await writer.durable(3);
    expect(written).toEqual([['i1', 'i2', 'i3']]);
  });

  it('splits batches of big records by size', async () => {
    const { writer, written } = harness();
    for (const n of [1, 2, 3]) writer.add(end(n), 5 * 1024 * 1024);
    await writer.durable(3);
    expect(written).toEqual([['i1'], ['i2'], ['i3']]);
  });

  it('flushes at once for a durability waiter instead of lingering', async () => {
    // A minute's linger outlasts the test's timeout: only flushing at once lets it pass.
    const { writer, written } = harness({ lingerMs: 60_000 });
    const seq = writer.add(end(1), 100);
    await writer.durable(seq);
    expect(written).toEqual([['i1']]);
  });

  it('retries a batch after a transient failure, keeping it whole and in order', async () => {
    const { writer, written, fail, failed } = harness();
    fail(new Error('connection reset'));
    writer.add(end(1), 100);
    const done = writer.durable(writer.add(end(2), 100));
    await failed();
    fail(undefined);
    await done;
    expect(written).toEqual([['i1', 'i2']]);
  });

  it('retries a batch the database rejects as bad data row by row, losing only the bad row', async () => {
    const written: string[] = [];
    const { writer } = harness({
      write: async (batch) => {
        if (batch.some((r) => r.interceptionId === 'i2')) throw sqlError('22P02');
        written.push(...ids(batch));
      },
    });
    for (const n of [1, 2, 3]) writer.add(end(n), 100);
    await writer.durable(3);
    expect(written).toEqual(['i1', 'i3']);
  });

  it('makes new work wait while the queue is full, and refuses it if the queue stays full', async () => {
    const { writer, budget, hold } = harness({ maxRecords: 2, admitTimeoutMs: 100 });
    const release = hold();
    writer.add(end(1), 100);
    writer.add(end(2), 100);
    await expect(budget.admit(0)).rejects.toBeInstanceOf(RecorderOverloadedError);
    const waiting = budget.admit(0);
    release();
    await expect(waiting).resolves.toBeUndefined();
    await expect(budget.admit(0)).resolves.toBeUndefined();
  });

  it('bounds the queue by bytes too', async () => {
    const { writer, budget, hold } = harness({ maxBytes: 1000, admitTimeoutMs: 20 });
    const release = hold();
    writer.add(end(1), 2000);
    await expect(budget.admit(0)).rejects.toBeInstanceOf(RecorderOverloadedError);
    release();
  });

  it('writes everything still queued on close, however long the linger', async () => {
    const { writer, written } = harness({ lingerMs: 60_000, maxBatch: 2 });
    for (const n of [1, 2, 3, 4, 5]) writer.add(end(n), 100);
    await writer.close(1000);
    expect(written.flat()).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
    expect(writer.depth).toBe(0);
  });

  it('hands back what it could not write when the database stays down past the close timeout', async () => {
    const { writer, fail } = harness();
    fail(new Error('database down'));
    writer.add(end(1), 100);
    writer.add(end(2), 100);
    const left = await writer.close(150);
    expect(left.map((record) => record.interceptionId)).toEqual(['i1', 'i2']);
    expect(writer.depth).toBe(0);
  });
});
