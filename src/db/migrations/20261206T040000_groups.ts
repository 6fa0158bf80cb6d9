import { type Kysely, sql } from 'kysely';

/**
 * Groups of users (Coder's `groups` and `group_members`): plain named sets that budgets can
 * name as a shared pool, and that a later sign-in can fill from an identity provider's groups.
 * A name is unique case-insensitively; deleting a group or a user's row removes its
 * memberships.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE groups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE UNIQUE INDEX groups_name_idx ON groups (lower(name))`,
  `CREATE TABLE group_members (
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, user_id)
    )`,
  `CREATE INDEX group_members_user_idx ON group_members (user_id)`,
];
