import { describe, expect, it } from 'vitest';
import { QueueBudget } from './budget.js';
import { RecorderOverloadedError } from './types.js';

describe('QueueBudget', () => {
  it('lets waiters in one at a time, each taking its reservation, in arrival order', async () => {
    const budget = new QueueBudget({ maxRecords: 10, maxBytes: 1e9, admitTimeoutMs: 1000 });
    await budget.admit(10);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => budget.admit(5).then(() => order.push(n)));
    budget.release(10);
    await Promise.all(waiting.slice(0, 2));
    // Two fit in the room the first gave back; the third waits for one of them.
    expect(order).toEqual([1, 2]);
    expect(budget.promised).toBe(10);
    budget.release(5);
    await waiting[2];
    expect(order).toEqual([1, 2, 3]);
  });

  it('counts queued records and bytes against the bound, and refuses after the timeout', async () => {
    const budget = new QueueBudget({ maxRecords: 100, maxBytes: 1000, admitTimeoutMs: 20 });
    budget.added(1000);
    await expect(budget.admit(1)).rejects.toBeInstanceOf(RecorderOverloadedError);
    const admitted = budget.admit(1);
    budget.removed(1, 1000);
    await expect(admitted).resolves.toBeUndefined();
    expect(budget.queued).toBe(0);
  });
});
