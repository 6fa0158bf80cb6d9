import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
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
});
