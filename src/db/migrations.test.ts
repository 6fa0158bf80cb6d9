import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations/index.js';

// Migrations are history: what one executes must never change once it has shipped. These
// checks keep the folder that way as migrations are added.

const folder = new URL('./migrations/', import.meta.url);
const NAME = /^(\d{8}T\d{6})_[a-z0-9]+(?:_[a-z0-9]+)*$/;
const files = readdirSync(folder).filter((file) => !file.endsWith('.test.ts'));
const migrationFiles = files.filter((file) => file !== 'index.ts');
const source = (file: string) => readFileSync(new URL(file, folder), 'utf8');

/** What a migration file may import: Kysely's types, and `sql` to run its statements. */
function forbiddenImports(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/\b(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/g)) {
    const [statement, specifier] = match;
    if (specifier !== 'kysely') problems.push(`imports ${specifier}`);
    else if (/^export\b/.test(statement)) problems.push('re-exports from kysely');
    else if (!/^import\s+type\b/.test(statement)) {
      const names = /\{([^}]*)\}/.exec(statement)?.[1];
      if (names === undefined) problems.push(`imports kysely other than by name: ${statement}`);
      for (const name of (names ?? '').split(',').map((n) => n.trim())) {
        if (name !== '' && name !== 'sql' && !name.startsWith('type '))
          problems.push(`imports ${name} from kysely`);
      }
    }
  }
  if (/^\s*import\s*['"]/m.test(text)) problems.push('has a side-effect import');
  if (/\bimport\s*\(|\brequire\s*\(/.test(text)) problems.push('loads a module at run time');
  return problems;
}

describe('src/db/migrations', () => {
  it('holds only timestamped migrations and their index', () => {
    const stray = migrationFiles.filter((file) => !file.endsWith('.ts') || !NAME.test(file.slice(0, -3)));
    expect(
      stray,
      'name migrations <yyyymmdd>T<hhmmss>_<snake_case>.ts; shared modules do not belong here',
    ).toEqual([]);
  });

  it('lists every migration file in the index, in strictly increasing timestamp order', async () => {
    const names = Object.keys(migrations);
    expect([...names].sort()).toEqual(migrationFiles.map((file) => file.slice(0, -3)).sort());
    const timestamps = names.map((name) => NAME.exec(name)?.[1] ?? name);
    for (let i = 1; i < timestamps.length; i++) {
      expect(timestamps[i]! > timestamps[i - 1]!, `${names[i]} must come after ${names[i - 1]}`).toBe(true);
    }
    for (const name of names) expect(migrations[name]).toBe(await import(`./migrations/${name}.ts`));
  });

  it.each(migrationFiles)('%s imports nothing but kysely types and sql', (file) => {
    expect(
      forbiddenImports(source(file)),
      'a migration is written out in full: no SQL or helpers from shared modules',
    ).toEqual([]);
  });

  it.each(Object.keys(migrations))('%s has an up and, by policy, no down', (name) => {
    expect(typeof migrations[name]?.up).toBe('function');
    expect(migrations[name]?.down, 'down migrations are absent by policy (see README, Migrations)').toBe(
      undefined,
    );
  });
});

describe('the migration import guard', () => {
  it('accepts kysely types and sql, and rejects anything else', () => {
    expect(forbiddenImports(`import { type Kysely, sql } from 'kysely';`)).toEqual([]);
    expect(forbiddenImports(`import type { Kysely, Migration } from 'kysely';`)).toEqual([]);
    expect(forbiddenImports(`import { sql, CompiledQuery } from 'kysely';`)).toEqual([
      'imports CompiledQuery from kysely',
    ]);
    expect(forbiddenImports(`import { TRIGGERS } from './session-summary-sql.js';`)).toEqual([
      'imports ./session-summary-sql.js',
    ]);
    expect(forbiddenImports(`import {\n  A,\n  B,\n} from '../store/sql.js';`)).toEqual([
      'imports ../store/sql.js',
    ]);
    expect(forbiddenImports(`export { up } from './other.js';`)).toEqual(['imports ./other.js']);
    expect(forbiddenImports(`const m = await import('./other.js');`)).toEqual(['loads a module at run time']);
  });
});
