import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  describeEachDatabase,
  freshDatabase,
  POSTGRES_URL,
  postgresUnavailable,
} from '../../test/databases.js';
import { DataDirBusyError } from './data-dir-lock.js';
import { Database } from './database.js';
import { migrations } from './migrations/index.js';

const TABLES = [
  'aibridge_activity_counts',
  'aibridge_audit_log',
  'aibridge_auth_version',
  'aibridge_budget_usage',
  'aibridge_budgets',
  'aibridge_group_limits_version',
  'aibridge_interceptions',
  'aibridge_model_thoughts',
  'aibridge_price_overrides',
  'aibridge_providers',
  'aibridge_rate_limits',
  'aibridge_replicas',
  'aibridge_sessions',
  'aibridge_spool_replays',
  'aibridge_token_clients',
  'aibridge_token_usages',
  'aibridge_tool_usages',
  'aibridge_usage_hourly',
  'aibridge_user_prompts',
  'api_keys',
  'browser_sessions',
  'group_members',
  'groups',
  'users',
];

/** Tables of the current schema only (other suites' schemas share the server). */
async function tablesOf(db: Database): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and table_name not like 'aibridge_migrations%'
    order by table_name, column_name
  `.execute(db.kysely);
  const tables = new Map<string, string[]>();
  for (const row of rows)
    tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
  return tables;
}

describeEachDatabase('database schema', (db) => {
  it('creates every table in its final shape', async () => {
    const tables = await tablesOf(db());
    expect([...tables.keys()].sort()).toEqual(TABLES);
    const columns = (table: string) => tables.get(table);
    expect(columns('aibridge_interceptions')).toEqual(
      [
        'api_key_id',
        'client',
        'client_session_id',
        'conversation_fingerprint',
        'cost_micros',
        'ended_at',
        'id',
        'initiator_id',
        'metadata',
        'model',
        'provider',
        'provider_name',
        'session_id',
        'started_at',
        'thread_parent_id',
        'thread_root_id',
      ].sort(),
    );
    expect(columns('aibridge_token_usages')).toContain('cache_read_input_tokens');
    expect(columns('aibridge_token_usages')).toContain('cache_write_input_tokens');
    expect(columns('aibridge_tool_usages')).toContain('provider_tool_call_id');
  });

  it('migrating again changes nothing', async () => {
    await db().migrate();
    const rows = await sql<{ name: string }>`select name from aibridge_migrations`.execute(db().kysely);
    expect(rows.rows.map((r) => r.name).sort()).toEqual(Object.keys(migrations).sort());
  });

  it('derives session_id from client session id, then thread root, then own id', async () => {
    const user = await db()
      .kysely.insertInto('users')
      .values({ username: `u${Date.now()}`, role: 'member' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const root = randomUUID();
    const rows = [
      { id: randomUUID(), client_session_id: 'client-sess', thread_root_id: root },
      { id: randomUUID(), client_session_id: null, thread_root_id: root },
      { id: randomUUID(), client_session_id: null, thread_root_id: null },
    ];
    await db()
      .kysely.insertInto('aibridge_interceptions')
      .values(
        rows.map((r) => ({
          ...r,
          initiator_id: user.id,
          provider: 'openai',
          model: 'm',
          started_at: new Date(),
        })),
      )
      .execute();
    const stored = await db()
      .kysely.selectFrom('aibridge_interceptions')
      .select(['id', 'session_id', 'client'])
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.get(rows[0]!.id)?.session_id).toBe('client-sess');
    expect(byId.get(rows[1]!.id)?.session_id).toBe(root);
    expect(byId.get(rows[2]!.id)?.session_id).toBe(rows[2]!.id);
    expect(byId.get(rows[2]!.id)?.client).toBe('Unknown');
  });

  it('returns bigint counts and sums as numbers', async () => {
    const row = await sql<{ big: unknown; total: unknown }>`
      select 9007199254740::bigint as big, sum(x)::numeric as total from (values (1::bigint), (2::bigint)) v(x)
    `.execute(db().kysely);
    expect(row.rows[0]).toEqual({ big: 9007199254740, total: 3 });
  });

  it('compresses prompts and other large text with lz4 where the server has it', async () => {
    const { rows } = await sql<{ lz4: boolean; method: string }>`
      select 'lz4' = any(s.enumvals) as lz4, a.attcompression::text as method
      from pg_settings s, pg_attribute a
      where s.name = 'default_toast_compression'
        and a.attrelid = 'aibridge_user_prompts'::regclass and a.attname = 'prompt'`.execute(db().kysely);
    // PostgreSQL built with lz4 (Debian's) gets it; PGlite has only pglz and keeps the default.
    expect(rows[0]?.method).toBe(rows[0]?.lz4 ? 'l' : '');
  });
});

describe.skipIf(postgresUnavailable !== undefined)('migrations on a shared PostgreSQL', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
  });

  it('lets two servers migrate one empty schema at the same time', async () => {
    const first = await freshDatabase('postgres', { migrate: false });
    disposers.push(first.dispose);
    const second = await Database.open({ url: POSTGRES_URL, schema: first.schema });
    disposers.push(() => second.close());
    await Promise.all([first.db.migrate(), second.migrate()]);
    expect([...(await tablesOf(second)).keys()].sort()).toEqual(TABLES);
  });

  it('keeps exactly one LISTEN connection however often its backend is terminated', async () => {
    const fresh = await freshDatabase('postgres');
    disposers.push(fresh.dispose);
    const app = `aibridge_listen_${randomBytes(4).toString('hex')}`;
    const db = await Database.open({ url: `${POSTGRES_URL}?application_name=${app}`, schema: fresh.schema });
    disposers.push(() => db.close());
    const received: string[] = [];
    await db.listen('aibridge_test_channel', (payload) => received.push(payload));
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    disposers.push(() => admin.end());
    const listeners = async () =>
      (
        await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity
           where application_name = $1 and state = 'idle' and query like 'LISTEN%'`,
          [app],
        )
      ).rows.map((row) => row.pid);
    for (let round = 0; round < 6; round++) {
      const [pid, ...others] = await listeners();
      expect(others).toEqual([]);
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await vi.waitFor(
        async () => {
          const now = await listeners();
          if (now.length === 0 || now.includes(pid as number)) throw new Error('not reconnected yet');
        },
        { timeout: 20_000, interval: 50 },
      );
      await db.notify('aibridge_test_channel', `ping ${round}`);
      await vi.waitFor(() => expect(received).toContain(`ping ${round}`), { timeout: 5000 });
    }
    expect(await listeners()).toHaveLength(1);
    await db.notify('aibridge_test_channel', 'last');
    await vi.waitFor(() => expect(received.at(-1)).toBe('last'), { timeout: 5000 });
    expect(received).toEqual([0, 1, 2, 3, 4, 5].map((round) => `ping ${round}`).concat('last'));
  });

  it('fails the next query, not the process, when a checked-out connection is lost', async () => {
    const fresh = await freshDatabase('postgres');
    disposers.push(fresh.dispose);
    await fresh.db.kysely.connection().execute(async (connection) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
      const pid = rows[0]?.pid;
      // Killed from another connection while this one is checked out and idle between queries;
      // with a timeout, pg_terminate_backend returns once the backend has actually exited.
      const { rows: killed } = await sql<{ gone: boolean }>`
        select pg_terminate_backend(${pid}, 30000) as gone`.execute(fresh.db.kysely);
      expect(killed[0]?.gone).toBe(true);
      await expect(sql`select 1`.execute(connection)).rejects.toThrow();
    });
    await expect(sql`select 1 as one`.execute(fresh.db.kysely)).resolves.toBeDefined();
  });
});

describe('embedded database directory', () => {
  it('refuses a second opener of the same directory while the first holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-lock-'));
    const first = await Database.open({ dataDir: dir });
    try {
      await expect(Database.open({ dataDir: dir })).rejects.toThrow(DataDirBusyError);
    } finally {
      await first.close();
    }
    const again = await Database.open({ dataDir: dir });
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
