import type { Generated, Selectable } from 'kysely';

/** A named set of users: a budget's shared pool, later filled from an identity provider. */
export interface GroupsTable {
  id: Generated<string>;
  name: string;
  /** A pool of requests per minute all members share (null: none). */
  requests_per_minute: Generated<number | null>;
  /** A pool of input + output tokens per minute all members share (null: none). */
  tokens_per_minute: Generated<number | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One user's membership of one group; a user may be in several. */
export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  /** `manual` (an owner added it) or `oidc` (a sign-in synced it from the groups claim). */
  source: Generated<'manual' | 'oidc'>;
  created_at: Generated<Date>;
}

export type GroupRow = Selectable<GroupsTable>;

/** A single row bumped by triggers on every group or membership change (the limits' poll reads it). */
export interface GroupLimitsVersionTable {
  singleton: Generated<boolean>;
  version: number;
}
