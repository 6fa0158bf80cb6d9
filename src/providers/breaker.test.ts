import { describe, expect, it } from 'vitest';
import { CircuitBreaker, isBreakerFailure } from './breaker.js';

function breaker() {
  let now = 1_000_000;
  const events = { trips: 0, rejects: 0 };
  const b = new CircuitBreaker(
    { enabled: true, failureThreshold: 3, intervalMs: 10_000, timeoutMs: 30_000, maxRequests: 2 },
    { tripped: () => events.trips++, rejected: () => events.rejects++ },
    () => now,
  );
  return { b, events, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker (gobreaker semantics)', () => {
  it('opens after consecutive failures and refuses until its timeout', () => {
    const { b, events, advance } = breaker();
    for (let i = 0; i < 3; i++) {
      expect(b.allow()).toBe(true);
      b.record(true);
    }
    expect(b.state).toBe('open');
    expect(events.trips).toBe(1);
    expect(b.allow()).toBe(false);
    expect(events.rejects).toBe(1);
    expect(b.retryAfterSeconds).toBe(30);
    advance(29_000);
    expect(b.allow()).toBe(false);
    expect(b.retryAfterSeconds).toBe(1);
  });

  it('a success resets the count, and so does the interval while closed', () => {
    const { b, advance } = breaker();
    b.record(true);
    b.record(true);
    b.record(false);
    b.record(true);
    b.record(true);
    expect(b.state).toBe('closed');
    advance(10_000);
    b.record(true);
    expect(b.state).toBe('closed');
  });

  it('half-open lets maxRequests through; their successes close it, one failure reopens it', () => {
    const { b, events, advance } = breaker();
    for (let i = 0; i < 3; i++) b.record(true);
    advance(30_000);
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    b.record(true);
    expect(b.state).toBe('open');
    expect(events.trips).toBe(2);
    advance(30_000);
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(true);
    b.record(false);
    expect(b.state).toBe('half-open');
    b.record(false);
    expect(b.state).toBe('closed');
  });

  it("counts the reference's failure statuses", () => {
    expect([429, 503, 504].every((s) => isBreakerFailure(s, false))).toBe(true);
    expect(isBreakerFailure(500, false)).toBe(false);
    expect(isBreakerFailure(529, false)).toBe(false);
    expect(isBreakerFailure(529, true)).toBe(true);
  });
});
