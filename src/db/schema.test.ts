import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { migrations } from './migrations/index.js';
import { dumpSchema } from './schema-dump.js';

const committed = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

describeEachDatabase('src/db/schema.sql', (db) => {
  it('is exactly the schema the migrations give an empty database', async () => {
    const migrated = await dumpSchema(db());
    expect(
      migrated,
      'src/db/schema.sql differs from what the migrations produce: run `npm run db:schema` and commit it',
    ).toBe(committed);
  });

  it('stays as it is when asked to migrate back (there are no down migrations)', async () => {
    const [first] = Object.keys(migrations);
    await db().migrate(first);
    expect(await dumpSchema(db())).toBe(committed);
    const { rows } = await sql<{ name: string }>`select name from aibridge_migrations`.execute(db().kysely);
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(migrations).sort());
  });
});
