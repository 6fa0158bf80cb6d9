/** One of an instance's keys, with what the pool has learnt about it. */
export interface PooledKey {
  /** Stable while the key is stored (see providers/store.ts `keyId`); safe to show. */
  readonly id: string;
  readonly secret: string;
  readonly hint: string;
  /** Not to be used before this time (ms since epoch): the upstream's Retry-After, or a backoff. */
  coolUntil: number;
  /** The upstream refused it (401/403): out of rotation until it serves again or is removed. */
  disabled: boolean;
  /** When and with which status it was refused (for the owner's key list). */
  disabledAt: number;
  disabledStatus: number;
  /** When a request last went upstream with it (0: never, on this replica). */
  lastUsed: number;
}

/** What a replica knows of one key, as the key list shows it. */
export interface KeyState {
  id: string;
  hint: string;
  state: 'active' | 'cooling-down' | 'out-of-rotation';
  coolingUntil: number | undefined;
  outSince: number | undefined;
  outStatus: number | undefined;
  lastUsed: number | undefined;
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
    keys: readonly { id: string; secret: string; hint: string }[],
    private readonly now: () => number = Date.now,
  ) {
    this.keys = keys.map((k) => ({
      id: k.id,
      secret: k.secret,
      hint: k.hint,
      coolUntil: 0,
      disabled: false,
      disabledAt: 0,
      disabledStatus: 0,
      lastUsed: 0,
    }));
  }

  /**
   * Carries over what `previous` (the pool this one replaces after the instance changed)
   * learnt about keys both hold, so adding or removing one key does not put a refused or
   * resting key back into rotation, nor forget when each was last used.
   */
  adopt(previous: KeyPool): void {
    const known = new Map(previous.keys.map((k) => [k.id, k]));
    for (const key of this.keys) {
      const old = known.get(key.id);
      if (!old) continue;
      key.coolUntil = old.coolUntil;
      key.disabled = old.disabled;
      key.disabledAt = old.disabledAt;
      key.disabledStatus = old.disabledStatus;
      key.lastUsed = old.lastUsed;
    }
  }

  /** Each key's state as this replica knows it, in stored order. */
  states(): KeyState[] {
    const now = this.now();
    return this.keys.map((k) => ({
      id: k.id,
      hint: k.hint,
      state: k.disabled ? 'out-of-rotation' : k.coolUntil > now ? 'cooling-down' : 'active',
      coolingUntil: !k.disabled && k.coolUntil > now ? k.coolUntil : undefined,
      outSince: k.disabled ? k.disabledAt : undefined,
      outStatus: k.disabled ? k.disabledStatus : undefined,
      lastUsed: k.lastUsed || undefined,
    }));
  }

  /** A request is about to go upstream with `key`. */
  used(key: PooledKey): void {
    key.lastUsed = this.now();
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
  disable(key: PooledKey, status: number): boolean {
    if (key.disabled) return false;
    key.disabled = true;
    key.disabledAt = this.now();
    key.disabledStatus = status;
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
