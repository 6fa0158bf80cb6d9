import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { Seeder } from '../seed.js';
import { describeEachServer } from '../server.js';

const DAY = 86_400_000;
const PATH = '/api/v2/aibridge/admin/purge';

describeEachServer('admin purge API', (server) => {
  let userId = '';
  const count = async () => {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM aibridge_interceptions`.execute(
      server().running.db.kysely,
    );
    return Number(rows[0]?.n);
  };

  beforeEach(async () => {
    const db = server().running.db.kysely;
    await sql`DELETE FROM aibridge_interceptions`.execute(db);
    userId ||= (await server().createUser('historian')).id;
    // 3 from 90 days ago and 2 from 10 days ago, each with a token row, a prompt and a tool call.
    await db.transaction().execute((trx) =>
      new Seeder(trx).interceptions(
        [90, 90, 90, 10, 10].map((days, i) => ({
          initiatorId: userId,
          startedAt: new Date(Date.now() - days * DAY + i * 1000),
          tokens: [{ input: 1, output: 1 }],
          prompt: 'old',
          tools: [{ tool: 'Read' }],
        })),
      ),
    );
  });

  it('counts with dry_run, deletes with the records under them, then finds nothing more', async () => {
    const asked = Date.now();
    const dry = await server().request(PATH, { method: 'POST', json: { older_than: '30d', dry_run: true } });
    const answered = Date.now();
    expect(dry.status).toBe(200);
    const counted = (await dry.json()) as { cutoff: string };
    expect(counted).toMatchObject({ dry_run: true, interceptions: 3, rows: 12, done: true });
    // 30 days before the moment the server handled the request, whenever that was.
    const cutoff = Date.parse(counted.cutoff);
    expect(cutoff).toBeGreaterThanOrEqual(asked - 30 * DAY);
    expect(cutoff).toBeLessThanOrEqual(answered - 30 * DAY);
    expect(await count()).toBe(5);

    const real = await server().request(PATH, { method: 'POST', json: { before: counted.cutoff } });
    expect(await real.json()).toEqual({
      cutoff: counted.cutoff,
      dry_run: false,
      interceptions: 3,
      rows: 12,
      done: true,
    });
    expect(await count()).toBe(2);
    const again = await server().request(PATH, { method: 'POST', json: { older_than: '30d' } });
    expect(await again.json()).toMatchObject({ interceptions: 0, rows: 0, done: true });
  });

  it('is for owners only, and refuses unclear cutoffs in the reference envelope', async () => {
    const auditor = await server().createUser('auditor-purge', 'auditor');
    const forbidden = await server().request(PATH, {
      method: 'POST',
      token: auditor.token,
      json: { older_than: '1d' },
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      message: 'Forbidden.',
      detail: 'Only owners can purge interceptions.',
    });
    for (const [body, field, detail] of [
      [{}, 'older_than', 'give either older_than or before'],
      [
        { older_than: '1d', before: '2026-01-01T00:00:00Z' },
        'older_than',
        'give either older_than or before',
      ],
      [{ older_than: 'soon' }, 'older_than', 'expected a duration such as 60d, 12h or 90m'],
      [{ older_than: '0' }, 'older_than', 'older_than must be longer than 0'],
      [{ before: '2999-01-01T00:00:00Z' }, 'before', 'before must not be in the future'],
    ] as const) {
      const res = await server().request(PATH, { method: 'POST', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ message: 'Validation failed.', validations: [{ field, detail }] });
    }
    const badTime = await server().request(PATH, { method: 'POST', json: { before: 'yesterday' } });
    expect(badTime.status).toBe(400);
    expect(await count()).toBe(5);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await server().request('/api/v2/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.paths[PATH]?.post?.requestBody).toBeDefined();
  });
});
