import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { createLogger } from '../log.js';
import { PriceBook } from '../pricing/book.js';
import { PackagePrices } from '../pricing/package-book.js';
import { writeBatch } from '../recorder/batch-sql.js';
import { UserStore } from '../store/users.js';
import { BudgetGate } from './gate.js';
import { BudgetStore } from './store.js';

const DAY = 86_400_000;
const request = (userId: string) => ({
  userId,
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  bodyBytes: 400,
  maxTokens: 1000,
});

describeEachDatabase('budget gate', (db) => {
  it('refuses once a day is spent and admits again when the next day starts (clock injected)', async () => {
    const user = await new UserStore(db().kysely).create({ username: 'roll', role: 'member' });
    const store = new BudgetStore(db().kysely);
    const budget = await store.set({
      subject: 'user',
      subjectId: user.id,
      limitMicros: 20_000,
      period: 'day',
      provider: null,
      modelPattern: null,
    });
    let now = Date.parse('2026-12-06T23:59:00Z');
    const refused: string[] = [];
    const gate = new BudgetGate({
      store,
      prices: new PriceBook(new PackagePrices()),
      log: createLogger('silent'),
      metrics: { refused: (b) => refused.push(b), ratio: () => {} },
      timeZone: 'UTC',
      unpriced: 'allow',
      now: () => now,
    });
    await gate.reload();
    // Estimate: 100 input tokens at the 1h cache-write rate ($6/M) + 1,000 output at $15/M.
    const first = await gate.admit(request(user.id));
    if (!first.ok) throw new Error(first.message);
    expect(first.charges[0]?.reservedMicros).toBe(15_600);
    // What the recorder's batch does when the interception ends: the cost moves from the
    // lease to spent (all of it: the reservation covered it), then the ledger is told.
    await db()
      .kysely.updateTable('aibridge_budget_usage')
      .set((eb) => ({ spent_micros: 15_030, leased_micros: eb('leased_micros', '-', 15_030) }))
      .where('budget_id', '=', budget.id)
      .execute();
    gate.settle(first.charges, 15_030);
    const second = await gate.admit(request(user.id));
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.message).toContain('resets at 2026-12-07T00:00:00.000Z');
    expect(refused).toEqual(['user:roll']);

    now += DAY;
    const nextDay = await gate.admit(request(user.id));
    expect(nextDay.ok).toBe(true);
    if (nextDay.ok) gate.settle(nextDay.charges, 0);
    await gate.close();
    const rows = await db()
      .kysely.selectFrom('aibridge_budget_usage')
      .selectAll()
      .orderBy('period_start')
      .execute();
    // Each threshold is claimed once per budget and period, whichever replica asks first.
    const day = new Date('2026-12-06T00:00:00.000Z');
    expect(await store.claimThreshold(budget.id, day, 80)).toBe(true);
    expect(await store.claimThreshold(budget.id, day, 80)).toBe(false);
    expect(await store.claimThreshold(budget.id, day, 100)).toBe(true);
    // The lease of both days went back at close; only settled spend stays.
    expect(
      rows.map((r) => [r.period_start.toISOString(), Number(r.spent_micros), Number(r.leased_micros)]),
    ).toEqual([
      ['2026-12-06T00:00:00.000Z', 15_030, 0],
      ['2026-12-07T00:00:00.000Z', 0, 0],
    ]);
  });
  it('moves a settled cost from the lease to spent at once, so another process is admitted into what is left', async () => {
    const user = await new UserStore(db().kysely).create({ username: 'twice', role: 'member' });
    const store = new BudgetStore(db().kysely);
    // Room for exactly two estimates (15,600 µ$ each); a request really costs 15,030 µ$.
    const budget = await store.set({
      subject: 'user',
      subjectId: user.id,
      limitMicros: 31_200,
      period: 'day',
      provider: null,
      modelPattern: null,
    });
    const now = Date.parse('2026-12-06T12:00:00Z');
    const process = () =>
      new BudgetGate({
        store,
        prices: new PriceBook(new PackagePrices()),
        log: createLogger('silent'),
        metrics: { refused: () => {}, ratio: () => {} },
        timeZone: 'UTC',
        unpriced: 'allow',
        now: () => now,
      });
    const [a, b] = [process(), process()];
    await Promise.all([a.reload(), b.reload()]);
    const first = await a.admit(request(user.id));
    if (!first.ok) throw new Error(first.message);
    // The interception ends through the recorder's real batch: 10 input + 1,000 output tokens.
    const id = crypto.randomUUID();
    const startedAt = new Date(now);
    await db()
      .kysely.insertInto('aibridge_interceptions')
      .values({
        id,
        initiator_id: user.id,
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        started_at: startedAt,
      })
      .execute();
    const pricedAs = { provider: 'anthropic', model: 'claude-sonnet-4-5', startedAt };
    await writeBatch(db(), [
      {
        kind: 'token_usage',
        interceptionId: id,
        pricedAs,
        providerResponseId: 'msg_1',
        input: 10,
        output: 1000,
        cacheRead: 0,
        cacheWrite: 0,
        metadata: {},
        createdAt: startedAt,
      },
      {
        kind: 'end',
        interceptionId: id,
        endedAt: startedAt,
        budget: { charges: first.charges, settle: (cost) => a.settle(first.charges, cost) },
      },
    ]);
    const counters = () =>
      db()
        .kysely.selectFrom('aibridge_budget_usage')
        .select(['spent_micros', 'leased_micros'])
        .where('budget_id', '=', budget.id)
        .executeTakeFirstOrThrow()
        .then((r) => [Number(r.spent_micros), Number(r.leased_micros)]);
    // Process A leased exactly its estimate; the 15,030 it cost left the lease with the commit.
    expect(await counters()).toEqual([15_030, 570]);
    // Before the fix the cost was in spent and still in A's lease until A's next exchange:
    // 31,200 − 15,030 − 15,600 left 570, and process B was refused.
    const second = await b.admit(request(user.id));
    expect(second.ok).toBe(true);
    if (second.ok) b.settle(second.charges, 0);
    await Promise.all([a.close(), b.close()]);
    expect(await counters()).toEqual([15_030, 0]);
  });
});
