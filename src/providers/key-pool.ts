/** One of an instance's keys, with what the pool has learnt about it. */
export interface PooledKey {
  readonly secret: string;
  readonly hint: string;
  /** Not to be used before this time (ms since epoch): the upstream's Retry-After, or a backoff. */
  coolUntil: number;
  /** The upstream refused it (401/403): out of rotation until the instance's keys change. */
  disabled: boolean;
}

/**
 * An instance's keys: requests are spread over them round-robin, and one request tries them in
 * order — usable keys first, then cooling ones (soonest first), then disabled ones — so a
 * lone key still serves (its upstream error reaches the client as it was sent) while several
 * keys ride out one key's rate limit or revocation.
 */
export class KeyPool {
  private readonly keys: PooledKey[];
  private next = 0;

  constructor(
    keys: readonly { secret: string; hint: string }[],
    private readonly now: () => number = Date.now,
  ) {
    this.keys = keys.map((k) => ({ secret: k.secret, hint: k.hint, coolUntil: 0, disabled: false }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The keys one request tries, in order (not to be changed by the caller). */
  order(): readonly PooledKey[] {
    const n = this.keys.length;
    if (n <= 1) return this.keys;
    const start = this.next;
    this.next = (this.next + 1) % n;
    const now = this.now();
    const ready: PooledKey[] = [];
    const cooling: PooledKey[] = [];
    const disabled: PooledKey[] = [];
    for (let i = 0; i < n; i++) {
      const key = this.keys[(start + i) % n] as PooledKey;
      if (key.disabled) disabled.push(key);
      else if (key.coolUntil > now) cooling.push(key);
      else ready.push(key);
    }
    cooling.sort((a, b) => a.coolUntil - b.coolUntil);
    return [...ready, ...cooling, ...disabled];
  }

  /** Rests a key for `ms` (the upstream's Retry-After, or a short default). */
  coolDown(key: PooledKey, ms: number): void {
    key.coolUntil = Math.max(key.coolUntil, this.now() + ms);
  }

  /** Takes a key out of rotation; true the first time (so it is logged and counted once). */
  disable(key: PooledKey): boolean {
    if (key.disabled) return false;
    key.disabled = true;
    return true;
  }

  /** A key that served a request is trusted again (it may have been restored upstream). */
  succeeded(key: PooledKey): void {
    key.disabled = false;
    key.coolUntil = 0;
  }
}

/** How long a key rests when the upstream said to wait (`Retry-After`: seconds or an HTTP date). */
export function retryAfterMs(value: string | string[] | undefined, now: number, fallbackMs: number): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return fallbackMs;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - now);
}
