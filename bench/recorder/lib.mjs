// Shared pieces of the recorder benchmark: a fresh database per run (created and dropped),
// CPU time of this process and of the PostgreSQL server's processes, and the workload — one
// interception as the gateway records it (start row, 1 prompt, 4 token usages, 2 tool usages, end).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Database } from '../../dist/db/database.js';
import { uuidv7 } from '../../dist/recorder/uuid7.js';

/** The shared server (trust auth); each run gets a database of its own on it. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Rows each interception writes besides its start row. */
export const ROWS_PER_INTERCEPTION = { token_usages: 4, prompts: 1, tool_usages: 2 };

async function admin(statement) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A migrated, empty database with one user: a new PostgreSQL database or a PGlite directory. */
export async function freshDatabase(backend) {
  let db;
  let drop;
  let name;
  if (backend === 'postgres') {
    name = `aibridge_bench_${randomBytes(5).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    db = await Database.open({ url: url.toString() });
    drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-bench-'));
    db = await Database.open({ dataDir: dir });
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  await db.migrate();
  const userId = randomUUID();
  await db.kysely.insertInto('users').values({ id: userId, username: 'bench', role: 'member' }).execute();
  return {
    db,
    name,
    userId,
    async dispose() {
      await db.close().catch(() => {});
      await drop();
    },
  };
}

const CLK_TCK = 100;

function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** The postmaster's PID (parent of our backend), or undefined when the server is not local. */
export async function postmasterPid() {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query('select pg_backend_pid() as pid');
    return procCpuSeconds(rows[0].pid)?.ppid; // read while the backend is alive
  } finally {
    await client.end();
  }
}

/** CPU seconds used so far by each process of the PostgreSQL server (backends and background workers). */
export function serverCpu(postmaster) {
  const byPid = new Map();
  if (postmaster === undefined) return byPid;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = procCpuSeconds(entry);
    if (info && (info.ppid === postmaster || Number(entry) === postmaster)) byPid.set(entry, info.cpu);
  }
  return byPid;
}

/**
 * The server processes working for one database: its backends, and the WAL writer, background
 * writer and checkpointer its writes keep busy (other databases' backends are left out).
 */
export async function serverPidsFor(database) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pid FROM pg_stat_activity
       WHERE (datname = $1 AND pid <> pg_backend_pid())
          OR backend_type IN ('walwriter', 'background writer', 'checkpointer')`,
      [database],
    );
    return new Set(rows.map((r) => String(r.pid)));
  } finally {
    await client.end();
  }
}

/** WAL written so far (bytes) and checkpoints so far, server-wide: read before and after a round. */
export async function walPosition() {
  const { rows } = await admin(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS wal,
            (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)::int AS checkpoints`,
  );
  return { wal: Number(rows[0].wal), checkpoints: Number(rows[0].checkpoints) };
}

/** CPU seconds `pids` spent between two `serverCpu` snapshots (new processes counted whole). */
export function serverCpuDelta(before, after, pids) {
  let total = 0;
  for (const [pid, cpu] of after) if (pids.has(pid)) total += cpu - (before.get(pid) ?? 0);
  return total;
}

const PROMPT = 'Refactor the session list so the cursor survives a filter change, and add a test. '.repeat(3);
const TOOL_INPUT = JSON.stringify({ command: 'npx vitest run src/api/sessions.test.ts', timeout: 120000 });

/** Interception ids as the gateway makes them (time-ordered); INTERCEPTION_IDS=v4 compares random ones. */
const newInterceptionId = process.env.INTERCEPTION_IDS === 'v4' ? randomUUID : () => uuidv7();

/** What the gateway knows before going upstream. */
export function interceptionStart(userId, n) {
  return {
    id: newInterceptionId(),
    initiatorId: userId,
    apiKeyId: 'benchkey01',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    client: 'Claude Code',
    clientSessionId: `session-${n % 97}`,
    correlatingToolCallId: undefined,
    metadata: { Username: 'bench', request_user_agent: 'claude-cli/2.0.14 (external, cli)' },
    startedAt: new Date(),
  };
}

/** Queues what one finished exchange records, as Interception does: prompt, 4 usages, 2 tools, end. */
export function recordExchange(recorder, start) {
  const interceptionId = start.id;
  const createdAt = new Date();
  const responseId = `msg_${interceptionId.slice(0, 18)}`;
  recorder.record({
    kind: 'prompt',
    interceptionId,
    providerResponseId: responseId,
    prompt: () => PROMPT,
    promptBytes: PROMPT.length,
    createdAt,
  });
  for (let i = 0; i < 4; i++) {
    recorder.record({
      kind: 'token_usage',
      interceptionId,
      pricedAs: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', startedAt: createdAt },
      providerResponseId: `${responseId}_${i}`,
      input: 1200 + i,
      output: 300,
      cacheRead: 40_000,
      cacheWrite: 512,
      metadata: { cache_ephemeral_5m_input: 512 },
      createdAt,
    });
  }
  for (let i = 0; i < 2; i++) {
    recorder.record({
      kind: 'tool_usage',
      interceptionId,
      initiatorId: start.initiatorId,
      threadRootId: interceptionId,
      providerResponseId: responseId,
      toolCallId: `toolu_${interceptionId.slice(0, 8)}_${i}`,
      tool: i === 0 ? 'Bash' : 'Read',
      input: TOOL_INPUT,
      createdAt,
    });
  }
  recorder.record({ kind: 'end', interceptionId, endedAt: new Date() });
}

/**
 * Counts what reached the database: interceptions, ended ones, and those with exactly their
 * 4 + 1 + 2 rows (or `expected`) — so "zero lost" is checked per interception, not only in total.
 */
export async function countPersisted(db, expected = ROWS_PER_INTERCEPTION) {
  const { sql } = await import('kysely');
  const { rows } = await sql`
    SELECT
      (SELECT count(*) FROM aibridge_interceptions) AS interceptions,
      (SELECT count(*) FROM aibridge_interceptions WHERE ended_at IS NOT NULL) AS ended,
      (SELECT count(*) FROM aibridge_token_usages) AS token_usages,
      (SELECT count(*) FROM aibridge_user_prompts) AS prompts,
      (SELECT count(*) FROM aibridge_tool_usages) AS tool_usages,
      (SELECT count(*) FROM aibridge_interceptions i
        WHERE i.ended_at IS NOT NULL
          AND (SELECT count(*) FROM aibridge_token_usages t WHERE t.interception_id = i.id) = ${expected.token_usages}
          AND (SELECT count(*) FROM aibridge_user_prompts p WHERE p.interception_id = i.id) = ${expected.prompts}
          AND (SELECT count(*) FROM aibridge_tool_usages u WHERE u.interception_id = i.id) = ${expected.tool_usages}) AS complete
  `.execute(db.kysely);
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

/** Value at quantile q of an ascending array. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
