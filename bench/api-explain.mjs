// Query plans behind the benchmark's filtered lists: runs the stores (from dist) against a
// dataset with a Kysely that records every statement, then EXPLAIN (ANALYZE, BUFFERS) each one.
//
//   node bench/api-explain.mjs [--url postgres://…/aibridge_bench_10m]
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { parseGoTime, RFC3339_NANO } from '../dist/search/go-time.js';
import { InterceptionStore } from '../dist/store/interceptions.js';
import { SessionStore } from '../dist/store/sessions.js';

const instant = (iso) => {
  const parsed = parseGoTime(iso, RFC3339_NANO);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.instant;
};

/** The filtered list cases: a name and the store call, given the busiest user's id. */
function cases(user) {
  const day = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const range = { startedAfter: instant(`${day}T00:00:00Z`), startedBefore: instant(`${day}T23:59:59Z`) };
  const sessions =
    (filter, scope = {}) =>
    (db) =>
      new SessionStore(db).page({ filter, scope, limit: 25, offset: 0 });
  return [
    ['sessions, initiator', sessions({ initiatorId: user })],
    ['sessions, client "Claude Code"', sessions({ client: 'Claude Code' })],
    ['sessions, model gpt-5', sessions({ model: 'gpt-5' })],
    ['sessions, 1-day range', sessions(range)],
    ['sessions, model gpt-5 + 1-day range', sessions({ model: 'gpt-5', ...range })],
    ['sessions, member scope', sessions({}, { initiatorId: user })],
    [
      'interceptions, model gpt-5',
      async (db) => {
        const store = new InterceptionStore(db);
        const filter = { model: 'gpt-5' };
        await store.count(filter, {});
        await store.list({ filter, scope: {}, limit: 25, offset: 0 });
      },
    ],
  ];
}

/** Full plans as text, and a markdown summary: per case, each statement's time and scans. */
export async function explainPlans(url) {
  const captured = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = new Kysely({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query')
        captured.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const user = (await client.query(`SELECT md5('u1')::uuid AS id`)).rows[0].id;
  const full = [];
  const summary = ['| case | statement | time ms | shared hits / reads | scans |', '|---|---|---:|---:|---|'];
  for (const [name, run] of cases(user)) {
    captured.length = 0;
    await run(db);
    for (const [n, query] of captured.entries()) {
      const { rows } = await client.query(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`,
        query.parameters,
      );
      const plan = rows[0]['QUERY PLAN'][0];
      const text = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.parameters);
      full.push(
        `=== ${name} — statement ${n + 1}\n${query.sql}\n-- parameters: ${JSON.stringify(query.parameters)}\n`,
      );
      full.push(text.rows.map((r) => r['QUERY PLAN']).join('\n'), '\n');
      const scans = new Set();
      const walk = (node) => {
        if (/Scan/.test(node['Node Type']))
          scans.add(`${node['Node Type']} on ${node['Relation Name'] ?? node['Index Name'] ?? '?'}`);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan.Plan);
      const seqOnInterceptions = [...scans].some((s) => s === 'Seq Scan on aibridge_interceptions');
      summary.push(
        `| ${name} | ${n + 1}: ${query.sql.replace(/\s+/g, ' ').slice(0, 60).replaceAll('|', '\\|')}… | ${plan['Execution Time'].toFixed(1)} | ${plan.Plan['Shared Hit Blocks']} / ${plan.Plan['Shared Read Blocks']} | ${[...scans].join(', ')}${seqOnInterceptions ? ' **SEQ SCAN on interceptions**' : ''} |`,
      );
    }
  }
  await client.end();
  await db.destroy();
  return { full: full.join('\n'), summary: summary.join('\n') };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/aibridge_bench_10m';
  const { summary } = await explainPlans(url);
  console.log(summary);
}
