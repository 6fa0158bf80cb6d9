import { describe, expect, it } from 'vitest';
import {
  parseClientSearch,
  parseInterceptionSearch,
  parseModelSearch,
  parseSessionSearch,
  type Searcher,
} from './filters.js';
import { RFC3339_NANO } from './go-time.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const ME = '22222222-2222-4222-8222-222222222222';
const searcher: Searcher = {
  actorId: ME,
  findVisibleUser: async (name) => (name.toLowerCase() === 'alice' ? ALICE : undefined),
};

async function filterOf(q: string, parse = parseInterceptionSearch) {
  const result = await parse(q, searcher);
  if (!result.ok) throw new Error(JSON.stringify(result.validations));
  return result.filter;
}
async function validationsOf(q: string, parse = parseInterceptionSearch) {
  const result = await parse(q, searcher);
  if (result.ok) throw new Error(`expected validations for ${q}`);
  return result.validations;
}

describe('interception and session search', () => {
  it('reads every key', async () => {
    const filter = await filterOf(
      'initiator:alice provider:anthropic model:"claude-4" client:Unknown ' +
        'started_after:"2025-01-01T00:00:00z" started_before:"2025-02-01t00:00:00.5+01:00"',
    );
    expect(filter).toEqual({
      initiatorId: ALICE,
      provider: 'anthropic',
      model: 'claude-4',
      client: 'Unknown',
      sessionId: undefined,
      startedAfter: { ns: expect.any(BigInt), sql: '2025-01-01T00:00:00.000000000Z' },
      startedBefore: { ns: expect.any(BigInt), sql: '2025-01-31T23:00:00.500000000Z' },
    });
  });

  it.each([
    ['initiator:me', ME],
    ['me', ME],
    ['ALICE', ALICE],
    [`initiator:${ALICE.toUpperCase()}`, ALICE],
    ['initiator:{11111111-1111-4111-8111-111111111111}', ALICE],
    ['initiator:00000000-0000-0000-0000-000000000000', undefined],
    ['initiator:""', undefined],
  ])('initiator %s', async (q, id) => {
    expect((await filterOf(q)).initiatorId).toBe(id);
  });

  it('treats Go zero time as unset and accepts session_id on sessions only', async () => {
    expect((await filterOf('started_after:"0001-01-01T00:00:00Z"')).startedAfter).toBeUndefined();
    expect((await filterOf('session_id:abc', parseSessionSearch)).sessionId).toBe('abc');
    expect(await validationsOf('session_id:abc')).toEqual([
      { field: 'session_id', detail: '"session_id" is not a valid query param' },
    ]);
  });

  it('collects every validation together, in the reference order', async () => {
    expect(
      await validationsOf(
        'initiator:nobody model:a model:b started_after:"bad" started_before:"2025-01-01T00:00:00Z" ' +
          'Colour:red shape:round',
      ),
    ).toEqual([
      {
        field: 'initiator',
        detail:
          'Query param "initiator" has invalid value: user "nobody" either does not exist, or you are unauthorized to view them',
      },
      {
        field: 'model',
        detail:
          'Query param "model" provided more than once, found 2 times. Only provide 1 instance of this query param.',
      },
      {
        field: 'started_after',
        detail: `Query param "started_after" must be a valid date format (${RFC3339_NANO}): parsing time "BAD" as "${RFC3339_NANO}": cannot parse "BAD" as "2006"`,
      },
      { field: 'colour', detail: '"colour" is not a valid query param' },
      { field: 'shape', detail: '"shape" is not a valid query param' },
    ]);
  });

  it.each([
    ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['2025-01-01T01:00:00+01:00', '2025-01-01T00:00:00Z'],
  ])('requires started_before (%s) strictly after started_after (%s)', async (after, before) => {
    expect(await validationsOf(`started_after:"${after}" started_before:"${before}"`)).toEqual([
      {
        field: 'started_before',
        detail:
          'Query param "started_before" has invalid value: "started_before" must be after "started_after" if set',
      },
    ]);
  });

  it('reports tokenisation errors alone, on q', async () => {
    expect(await validationsOf('model:x started_after:2025-01-01T00:00:00Z')).toEqual([
      {
        field: 'q',
        detail: `Query element "started_after:2025-01-01T00:00:00Z" can only contain 1 ':'`,
      },
    ]);
    expect(await validationsOf('model:x free text', parseSessionSearch)).toEqual([
      { field: 'q', detail: 'no search key specified' },
    ]);
  });
});

describe('model and client search', () => {
  it('reads a prefix from a bare term or its key', () => {
    expect(parseModelSearch('gpt')).toEqual({ ok: true, filter: { prefix: 'gpt' } });
    expect(parseModelSearch('model:claude')).toEqual({ ok: true, filter: { prefix: 'claude' } });
    expect(parseClientSearch('"Claude Code"')).toEqual({ ok: true, filter: { prefix: '"Claude Code"' } });
    expect(parseClientSearch('client:"Claude Code"')).toEqual({
      ok: true,
      filter: { prefix: 'Claude Code' },
    });
    expect(parseModelSearch('')).toEqual({ ok: true, filter: {} });
  });

  it('rejects other keys', () => {
    expect(parseModelSearch('provider:openai')).toEqual({
      ok: false,
      validations: [{ field: 'provider', detail: '"provider" is not a valid query param' }],
    });
    expect(parseClientSearch('client:a b')).toEqual({
      ok: false,
      validations: [
        {
          field: 'client',
          detail:
            'Query param "client" provided more than once, found 2 times. Only provide 1 instance of this query param.',
        },
      ],
    });
  });
});
