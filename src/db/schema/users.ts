import type { ColumnType, Generated, Selectable } from 'kysely';

/** Who may do what; owners manage, auditors read everyone's records, members read their own. */
export type Role = 'owner' | 'auditor' | 'member';

/** A person (or robot) that holds API tokens and initiates interceptions. */
export interface UsersTable {
  id: Generated<string>;
  username: string;
  name: Generated<string>;
  avatar_url: Generated<string>;
  role: Role;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_seen_at: Date | null;
  /** The identity provider (issuer URL) and subject (`sub`) a single-sign-on user is. */
  oidc_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  oidc_subject: ColumnType<string | null, string | null | undefined, string | null>;
  /** Soft delete: the row stays so recorded interceptions keep their initiator. */
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type UserRow = Selectable<UsersTable>;
