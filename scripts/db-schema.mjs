#!/usr/bin/env node
// Writes src/db/schema.sql: the schema an empty database has once every migration has run,
// read from an in-memory PGlite (src/db/schema.test.ts checks PostgreSQL yields the same).
// Run after adding a migration: `npm run db:schema`.
import { writeFileSync } from 'node:fs';
import { Database } from '../dist/db/database.js';
import { dumpSchema } from '../dist/db/schema-dump.js';

const target = new URL('../src/db/schema.sql', import.meta.url);
const db = await Database.open({});
try {
  await db.migrate();
  writeFileSync(target, await dumpSchema(db));
} finally {
  await db.close();
}
process.stderr.write(`aibridge: wrote ${target.pathname}\n`);
