import { describe, expect, it } from 'vitest';
import { KeyPool, retryAfterMs } from './key-pool.js';

const keys = ['a', 'b', 'c'].map((k) => ({ id: k, secret: `sk-${k}`, hint: k }));

describe('KeyPool', () => {
  it('spreads requests round-robin', () => {
    const pool = new KeyPool(keys);
    expect([0, 1, 2, 3].map(() => pool.order()[0]?.hint)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('puts cooling keys after usable ones (soonest first), then disabled ones', () => {
    let now = 0;
    const pool = new KeyPool(keys, () => now);
    const [a, b] = pool.order();
    pool.coolDown(a as never, 5000);
    pool.coolDown(b as never, 1000);
    expect(pool.order().map((k) => k.hint)).toEqual(['c', 'b', 'a']);
    expect(pool.disable(pool.order().find((k) => k.hint === 'c') as never, 401)).toBe(true);
    expect(pool.order().map((k) => k.hint)).toEqual(['b', 'a', 'c']);
    now = 6000;
    expect(
      pool
        .order()
        .map((k) => k.hint)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(pool.order().at(-1)?.hint).toBe('c');
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('2', 0, 99)).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000, 99)).toBe(6000);
    expect(retryAfterMs(undefined, 0, 99)).toBe(99);
    expect(retryAfterMs('soon', 0, 99)).toBe(99);
  });
});

describe('KeyPool state', () => {
  it('reports each key as active, cooling down or out of rotation, and keeps it across a change', () => {
    let now = 1000;
    const pool = new KeyPool(keys, () => now);
    const [a, b] = pool.order();
    pool.used(a as never);
    pool.coolDown(a as never, 5000);
    pool.disable(b as never, 403);
    expect(pool.states()).toEqual([
      {
        id: 'a',
        hint: 'a',
        state: 'cooling-down',
        coolingUntil: 6000,
        outSince: undefined,
        outStatus: undefined,
        lastUsed: 1000,
      },
      {
        id: 'b',
        hint: 'b',
        state: 'out-of-rotation',
        coolingUntil: undefined,
        outSince: 1000,
        outStatus: 403,
        lastUsed: undefined,
      },
      {
        id: 'c',
        hint: 'c',
        state: 'active',
        coolingUntil: undefined,
        outSince: undefined,
        outStatus: undefined,
        lastUsed: undefined,
      },
    ]);
    const next = new KeyPool([keys[1] as never, { id: 'd', secret: 'sk-d', hint: 'd' }], () => now);
    next.adopt(pool);
    now = 7000;
    expect(next.states().map((k) => [k.id, k.state])).toEqual([
      ['b', 'out-of-rotation'],
      ['d', 'active'],
    ]);
  });
});
