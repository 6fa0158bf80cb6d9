import { type Kysely, sql } from 'kysely';

/**
 * Owners' price overrides: a rate card for a model (optionally for one provider only) from an
 * effective time on. Kept in PostgreSQL so every replica prices with the same book; each
 * replica caches the rows and reloads them (see src/pricing/overrides.ts).
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_price_overrides (
  id uuid PRIMARY KEY,
  provider text,
  model text NOT NULL,
  effective_from timestamptz NOT NULL,
  rates jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE UNIQUE INDEX aibridge_price_overrides_key_idx ON aibridge_price_overrides (model, COALESCE(provider, ''), effective_from)`,
];
