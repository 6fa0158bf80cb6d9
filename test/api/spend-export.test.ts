import { sql } from 'kysely';
import Papa from 'papaparse';
import { beforeAll, expect, it } from 'vitest';
import { spendExportStream } from '../../src/spend-export/stream.js';
import { Seeder, seedAliceAndBob } from '../seed.js';
import { describeEachServer } from '../server.js';
import { seedVolume } from '../web/volume.js';

const at = (iso: string) => new Date(iso);
const rowsOf = (text: string) =>
  Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
const RANGE = 'started_after:"2026-05-04T00:00:00Z" started_before:"2026-05-04T23:59:59Z"';

describeEachServer('spend export API', (server) => {
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    // Seeded open, then priced and ended in one UPDATE, as the recorder's batch does.
    ({ alice, bob } = await seedAliceAndBob(server(), (alice, bob) => [
      {
        initiatorId: alice.id,
        startedAt: at('2026-05-04T09:05:00Z'),
        endedAt: null,
        tokens: [{ input: 1000, output: 100, cacheRead: 50, cacheWrite: 7 }],
      },
      {
        initiatorId: alice.id,
        model: 'my-llama',
        provider: 'openai',
        client: 'Codex',
        startedAt: at('2026-05-04T09:40:00Z'),
        endedAt: null,
        tokens: [{ input: 10, output: 1 }],
      },
      {
        initiatorId: bob.id,
        startedAt: at('2026-05-04T09:15:00Z'),
        endedAt: null,
        tokens: [{ input: 5, output: 5 }],
      },
      {
        initiatorId: alice.id,
        startedAt: at('2026-05-04T10:30:00Z'),
        endedAt: null,
        tokens: [
          { input: 2, output: 2 },
          { input: 3, output: 3 },
        ],
      },
    ]));
    const db = server().running.db.kysely;
    await sql`
      UPDATE aibridge_interceptions SET ended_at = started_at + interval '2 seconds',
        cost_micros = CASE WHEN model = 'my-llama' THEN NULL
          WHEN initiator_id = ${bob.id} THEN 250
          WHEN started_at > '2026-05-04T10:00:00Z' THEN 1500000 ELSE 4200 END
      WHERE ended_at IS NULL
    `.execute(db);
  });

  const download = async (query: string, token?: string) => {
    const response = await server().request(`/api/v2/aibridge/spend/export?${query}`, token ? { token } : {});
    return { response, text: await response.text() };
  };

  it('streams one CSV row per interception, oldest first, with exact dollars and an empty cost when unpriced', async () => {
    const { response, text } = await download(`q=${encodeURIComponent(RANGE)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = rowsOf(text);
    expect(rows.map((r) => [r.username, r.model, r.cost_usd, r.cost_micros])).toEqual([
      ['alice', 'claude-sonnet-4', '0.0042', '4200'],
      ['bob', 'claude-sonnet-4', '0.00025', '250'],
      ['alice', 'my-llama', '', ''],
      ['alice', 'claude-sonnet-4', '1.5', '1500000'],
    ]);
    expect(rows[0]).toMatchObject({
      started_at: '2026-05-04T09:05:00.000000Z',
      ended_at: '2026-05-04T09:05:02.000000Z',
      client: 'Claude Code',
      input_tokens: '1000',
      output_tokens: '100',
      cache_read_tokens: '50',
      cache_write_tokens: '7',
    });
    expect(rows[3]).toMatchObject({ input_tokens: '5', output_tokens: '5' });
  });

  it('sums per hour × user × model with grain=hour', async () => {
    const rows = rowsOf((await download(`grain=hour&q=${encodeURIComponent(RANGE)}`)).text);
    expect(
      rows.map((r) => [
        r.hour_start,
        r.username,
        r.model,
        r.interceptions,
        r.unpriced_interceptions,
        r.cost_micros,
      ]),
    ).toEqual([
      ['2026-05-04T09:00:00.000000Z', 'alice', 'claude-sonnet-4', '1', '0', '4200'],
      ['2026-05-04T09:00:00.000000Z', 'alice', 'my-llama', '1', '1', ''],
      ['2026-05-04T09:00:00.000000Z', 'bob', 'claude-sonnet-4', '1', '0', '250'],
      ['2026-05-04T10:00:00.000000Z', 'alice', 'claude-sonnet-4', '1', '0', '1500000'],
    ]);
    expect(rows[3]?.hour_end).toBe('2026-05-04T11:00:00.000000Z');
  });

  it('writes FinOps FOCUS 1.2 columns whose BilledCost adds up to the spend report', async () => {
    const rows = rowsOf((await download(`format=focus&grain=hour&q=${encodeURIComponent(RANGE)}`)).text);
    const spend = (await (
      await server().request(`/api/v2/aibridge/spend?q=${encodeURIComponent(RANGE)}`)
    ).json()) as {
      totals: { cost_micros: number; unpriced_interceptions: number };
    };
    const billed = rows.reduce((sum, r) => sum + Math.round(Number(r.BilledCost) * 1_000_000), 0);
    expect(billed).toBe(spend.totals.cost_micros);
    expect(rows[0]).toMatchObject({
      BilledCost: '0.0042',
      EffectiveCost: '0.0042',
      ListCost: '0.0042',
      BillingCurrency: 'USD',
      ChargeCategory: 'Usage',
      ChargePeriodStart: '2026-05-04T09:00:00.000000Z',
      ChargePeriodEnd: '2026-05-04T10:00:00.000000Z',
      BillingPeriodStart: '2026-05-01T00:00:00Z',
      BillingPeriodEnd: '2026-06-01T00:00:00Z',
      ServiceName: 'anthropic',
      ServiceCategory: 'AI and Machine Learning',
      ResourceId: 'anthropic/claude-sonnet-4',
      ConsumedQuantity: '1157',
      ConsumedUnit: 'Tokens',
      SubAccountName: 'alice',
    });
    const unpriced = rows.find((r) => r.ResourceName === 'my-llama');
    expect(unpriced).toMatchObject({ BilledCost: '0', x_UnpricedInterceptions: '1', x_CostMicros: '' });
    expect(JSON.parse(unpriced?.Tags ?? '{}')).toMatchObject({
      'aibridge/user': 'alice',
      'aibridge/unpriced': '1',
    });
    expect(spend.totals.unpriced_interceptions).toBe(1);
  });

  it('shows members only their own rows', async () => {
    const rows = rowsOf((await download(`format=focus&q=${encodeURIComponent(RANGE)}`, bob.token)).text);
    expect(rows.map((r) => r.SubAccountName)).toEqual(['bob']);
    expect(JSON.parse(rows[0]?.Tags ?? '{}')['aibridge/interception']).toMatch(/^[0-9a-f-]{36}$/);
    const theirs = rowsOf(
      (await download(`q=${encodeURIComponent(`initiator:alice ${RANGE}`)}`, bob.token)).text,
    );
    expect(theirs).toEqual([]);
    expect(alice.id).toBeTruthy();
  });

  it('answers bad parameters with a 400 in the documented shape', async () => {
    const bad = await download('format=xlsx');
    expect(bad.response.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({
      message: 'Invalid spend export parameters.',
      validations: [{ field: 'format', detail: 'format must be one of csv, focus' }],
    });
    const query = await download('q=started_after:yesterday-ish');
    expect(query.response.status).toBe(400);
    expect(JSON.parse(query.text).message).toBe('Invalid spend search query.');
  });

  it('exports a large range page by page: rows recorded while the download is paused still arrive', async () => {
    const db = server().running.db.kysely;
    const count = 5000;
    await seedVolume(db, {
      interceptions: count,
      initiatorIds: [alice.id, bob.id],
      newest: at('2026-06-01T00:00:00Z'),
      spacingMs: 1000,
    });
    await sql`UPDATE aibridge_interceptions SET cost_micros = 17 WHERE client_session_id LIKE 's-%'`.execute(
      db,
    );
    const filter = { startedAfter: undefined, startedBefore: undefined };
    const stream = spendExportStream(db, {
      filter,
      scope: {},
      pageSize: 500,
      format: 'csv',
      grain: 'interception',
    });
    const chunks = stream[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.done).toBe(false);
    // Paused after the first chunk: a later interception must still be read, so the export
    // cannot have been read whole up front.
    await new Seeder(db).interceptions([
      { initiatorId: bob.id, model: 'late-model', startedAt: at('2026-07-01T00:00:00Z') },
    ]);
    let text = String(first.value);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) text += String(next.value);
    const rows = rowsOf(text);
    expect(rows).toHaveLength(4 + count + 1);
    expect(rows.at(-1)?.model).toBe('late-model');
    expect(rows.filter((r) => r.cost_micros === '17')).toHaveLength(count);
  });

  it('streams a large export over HTTP with the same totals as the spend report', async () => {
    const response = await fetch(`${server().url}/api/v2/aibridge/spend/export?format=focus`, {
      headers: { 'Coder-Session-Token': server().ownerToken },
    });
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    // Read as it arrives, a line at a time (no cell of this export holds a newline).
    let header: string[] | undefined;
    let lines = 0;
    let micros = 0;
    let rest = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const text = rest + decoder.decode(chunk, { stream: true });
      const complete = text.split('\n');
      rest = complete.pop() ?? '';
      for (const line of complete) {
        const cells = Papa.parse<string[]>(line).data[0] ?? [];
        if (!header) {
          header = cells;
          continue;
        }
        lines += 1;
        micros += Number(cells[header.indexOf('x_CostMicros')] || 0);
      }
    }
    expect(rest).toBe('');
    const spend = (await (await server().request('/api/v2/aibridge/spend')).json()) as {
      totals: { interceptions: number; cost_micros: number };
    };
    expect(lines).toBe(spend.totals.interceptions);
    expect(micros).toBe(spend.totals.cost_micros);
  });
});
