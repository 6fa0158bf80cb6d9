import type { Generated } from 'kysely';

/** One running replica's heartbeat: how many replicas share a limit when its store is away. */
export interface ReplicasTable {
  id: string;
  started_at: Generated<Date>;
  seen_at: Generated<Date>;
}

/** A single row bumped by triggers on every token or user change (the revocation poll reads it). */
export interface AuthVersionTable {
  singleton: Generated<boolean>;
  version: number;
}

/** rate-limiter-flexible's PostgreSQL store: one counter per limited key and window. */
export interface RateLimitsTable {
  key: string;
  points: Generated<number>;
  /** Epoch milliseconds at which the window ends. */
  expire: number | null;
}
