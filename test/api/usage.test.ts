import { beforeAll, expect, it } from 'vitest';
import { seedAliceAndBob } from '../seed.js';
import { describeEachServer } from '../server.js';

interface Totals {
  interceptions: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}
interface Usage {
  bucket: string;
  time_zone: string;
  totals: Totals;
  series: Array<Totals & { bucket_start: string }>;
  by_model: Array<Totals & { provider: string; model: string }>;
  by_client: Array<Totals & { client: string }>;
  by_user: Array<Totals & { initiator: { id: string; username: string; name: string; avatar_url: string } }>;
}

const DAY1 = '2026-05-04T00:00:00Z';
const RANGE = `started_after:"${DAY1}" started_before:"2026-05-06T23:59:59Z"`;
const at = (iso: string) => new Date(iso);

describeEachServer('usage API', (server) => {
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    ({ alice, bob } = await seedAliceAndBob(server(), (alice, bob) => [
      {
        initiatorId: alice.id,
        startedAt: at('2026-05-04T09:00:00Z'),
        tokens: [
          { input: 100, output: 10, cacheRead: 1000, cacheWrite: 50 },
          { input: 20, output: 5 },
        ],
      },
      { initiatorId: alice.id, startedAt: at('2026-05-04T23:30:00Z'), tokens: [{ input: 7, output: 3 }] },
      {
        initiatorId: bob.id,
        provider: 'openai',
        model: 'gpt-5-codex',
        client: 'Codex',
        startedAt: at('2026-05-06T12:00:00Z'),
        tokens: [{ input: 300, output: 30, cacheRead: 200 }],
      },
      // Unknown client, no token rows: counted as an interception with zero tokens.
      {
        initiatorId: bob.id,
        provider: 'openai',
        model: 'gpt-5',
        client: null,
        startedAt: at('2026-05-06T13:00:00Z'),
      },
      // In flight: never counted.
      {
        initiatorId: bob.id,
        startedAt: at('2026-05-06T14:00:00Z'),
        endedAt: null,
        tokens: [{ input: 9, output: 9 }],
      },
      // Outside the range.
      { initiatorId: alice.id, startedAt: at('2026-04-01T10:00:00Z'), tokens: [{ input: 5000, output: 1 }] },
    ]));
  });

  const usage = async (query: string, token?: string): Promise<Usage> => {
    const res = await server().request(`/api/v2/aibridge/usage?${query}`, token ? { token } : {});
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Usage;
  };
  const q = (text: string) => `q=${encodeURIComponent(text)}`;

  it('sums ended interceptions into totals, a dense daily series and breakdowns ranked by tokens', async () => {
    const body = await usage(`${q(RANGE)}&bucket=day`);
    expect(body.bucket).toBe('day');
    expect(body.time_zone).toBe('UTC');
    expect(body.totals).toEqual({
      interceptions: 4,
      input_tokens: 427,
      output_tokens: 48,
      cache_read_input_tokens: 1200,
      cache_write_input_tokens: 50,
      cost_micros: 0,
      unpriced_interceptions: 4,
    });
    expect(body.series.map((p) => [p.bucket_start, p.interceptions, p.input_tokens])).toEqual([
      ['2026-05-04T00:00:00.000Z', 2, 127],
      ['2026-05-05T00:00:00.000Z', 0, 0],
      ['2026-05-06T00:00:00.000Z', 2, 300],
    ]);
    expect(body.by_model.map((m) => [m.provider, m.model, m.interceptions])).toEqual([
      ['anthropic', 'claude-sonnet-4', 2],
      ['openai', 'gpt-5-codex', 1],
      ['openai', 'gpt-5', 1],
    ]);
    expect(body.by_client.map((c) => [c.client, c.interceptions])).toEqual([
      ['Claude Code', 2],
      ['Codex', 1],
      ['Unknown', 1],
    ]);
    expect(
      body.by_user.map((u) => [u.initiator.username, u.interceptions, u.cache_read_input_tokens]),
    ).toEqual([
      ['alice', 2, 1000],
      ['bob', 2, 200],
    ]);
    expect(body.by_user[0]?.initiator).toEqual({ id: alice.id, username: 'alice', name: '', avatar_url: '' });
  });

  it('cuts hourly and daily buckets on the wall clock of the requested time zone', async () => {
    const paris = await usage(`${q(RANGE)}&bucket=day&tz=Europe/Paris`);
    expect(paris.time_zone).toBe('Europe/Paris');
    // 23:30 UTC on the 4th is 01:30 on the 5th in Paris (UTC+2 in May).
    expect(paris.series.map((p) => [p.bucket_start, p.interceptions])).toEqual([
      ['2026-05-03T22:00:00.000Z', 1],
      ['2026-05-04T22:00:00.000Z', 1],
      ['2026-05-05T22:00:00.000Z', 2],
      ['2026-05-06T22:00:00.000Z', 0],
    ]);
    const hourly = await usage(
      `${q('started_after:"2026-05-06T11:00:00Z" started_before:"2026-05-06T15:00:00Z"')}&bucket=hour`,
    );
    expect(hourly.series.map((p) => [p.bucket_start.slice(11, 13), p.interceptions])).toEqual([
      ['11', 0],
      ['12', 1],
      ['13', 1],
      ['14', 0],
      ['15', 0],
    ]);
  });

  it('filters with the interceptions keys and starts the series at the first match without a range', async () => {
    const codex = await usage(q('client:Codex'));
    expect(codex.totals.interceptions).toBe(1);
    expect(codex.series[0]?.bucket_start).toBe('2026-05-06T00:00:00.000Z');
    expect((await usage(q('client:Unknown provider:openai'))).totals.interceptions).toBe(1);
    expect((await usage(q(`initiator:alice ${RANGE}`))).totals.input_tokens).toBe(127);
    // The shared grammar: a word without a key is an initiator, as on the interceptions list.
    expect((await usage(q(`alice ${RANGE}`))).totals.input_tokens).toBe(127);
    expect((await usage(q(`model:"gpt-5" ${RANGE}`))).totals.interceptions).toBe(1);
    const unknown = await server().request(`/api/v2/aibridge/usage?${q('initiator:nobody')}`);
    expect(unknown.status).toBe(400);
  });

  it('shows members only their own usage', async () => {
    const mine = await usage(q(RANGE), bob.token);
    expect(mine.totals.interceptions).toBe(2);
    expect(mine.by_user.map((u) => u.initiator.username)).toEqual(['bob']);
    expect((await usage(q(`initiator:${alice.id} ${RANGE}`), bob.token)).totals.interceptions).toBe(0);
    const hidden = await server().request(`/api/v2/aibridge/usage?${q('initiator:alice')}`, {
      token: bob.token,
    });
    expect(hidden.status).toBe(400);
    expect(((await hidden.json()) as { validations: unknown[] }).validations).toEqual([
      {
        field: 'initiator',
        detail:
          'Query param "initiator" has invalid value: user "alice" either does not exist, or you are unauthorized to view them',
      },
    ]);
  });

  it('rejects bad searches, buckets, zones and over-long hourly ranges in the reference envelope', async () => {
    const cases: Array<[string, string, string[]]> = [
      [q('colour:blue started_after:yesterday'), 'Invalid usage search query.', ['colour', 'started_after']],
      [
        q('started_after:"2026-05-06T00:00:00Z" started_before:"2026-05-05T00:00:00Z"'),
        'Invalid usage search query.',
        ['started_before'],
      ],
      ['bucket=week', 'Query parameters have invalid values.', ['bucket']],
      ['tz=Mars/Olympus', 'Query parameters have invalid values.', ['tz']],
      [
        `${q('started_after:"2020-01-01T00:00:00Z" started_before:"2026-01-01T00:00:00Z"')}&bucket=hour`,
        'Invalid usage search query.',
        ['bucket'],
      ],
    ];
    for (const [query, message, fields] of cases) {
      const res = await server().request(`/api/v2/aibridge/usage?${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { message: string; validations: Array<{ field: string }> };
      expect(body.message, query).toBe(message);
      expect(body.validations.map((v) => v.field).sort(), query).toEqual(fields);
    }
    // The reference's words for a bad time, echoing the (upper-cased) input.
    const time = await server().request(`/api/v2/aibridge/usage?${q('started_after:yesterday')}`);
    expect(((await time.json()) as { validations: unknown[] }).validations).toEqual([
      {
        field: 'started_after',
        detail:
          'Query param "started_after" must be a valid date format (2006-01-02T15:04:05.999999999Z07:00): parsing time "YESTERDAY" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "YESTERDAY" as "2006"',
      },
    ]);
    expect((await server().request('/api/v2/aibridge/usage', { token: null })).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await server().request('/api/v2/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters: Array<{ name: string }> } }>;
    };
    const op = doc.paths['/api/v2/aibridge/usage']?.get;
    expect(op?.parameters.map((p) => p.name)).toEqual(['q', 'bucket', 'tz']);
  });
});
