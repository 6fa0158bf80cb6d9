import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Interception, Session } from '../../src/cli/api-types.js';
import { noTerminal, runInTerminal } from '../cli.js';
import { Seeder, type SeedInterception } from '../seed.js';
import { useCliWorld } from './harness.js';

/** Rows of the export: the demo's traffic through the gateway, then the bulk written with SQL. */
const ROWS = 10_000;

/** Prompts that CSV must quote and keep: separators, quotes, line breaks, non-ASCII. */
const AWKWARD = [
  'plain prompt',
  'a, b and "c"',
  'line one\nline two\r\nline three',
  'ünïcödé — 日本語 — 🚀',
  '=1+2 looks like a formula',
  '',
];

type Row = Record<string, string>;

/** An interception as the API sends it, rebuilt from its CSV row. */
function interceptionFromCsv(r: Row): Interception {
  return {
    id: r.id as string,
    api_key_id: r.api_key_id || null,
    initiator: {
      id: r.initiator_id as string,
      username: r.initiator_username as string,
      name: r.initiator_name as string,
      avatar_url: r.initiator_avatar_url as string,
    },
    provider: r.provider as string,
    model: r.model as string,
    client: r.client || null,
    metadata: r.metadata ? JSON.parse(r.metadata) : null,
    started_at: r.started_at as string,
    ended_at: r.ended_at || null,
    cost_micros: r.cost_micros ? Number(r.cost_micros) : null,
    token_usages: JSON.parse(r.token_usages as string),
    user_prompts: JSON.parse(r.user_prompts as string),
    tool_usages: JSON.parse(r.tool_usages as string),
  };
}

/** A session as the API sends it, rebuilt from its CSV row. */
function sessionFromCsv(r: Row): Session {
  return {
    id: r.id as string,
    initiator: {
      id: r.initiator_id as string,
      username: r.initiator_username as string,
      name: r.initiator_name as string,
      avatar_url: r.initiator_avatar_url as string,
    },
    providers: JSON.parse(r.providers as string),
    models: JSON.parse(r.models as string),
    client: r.client || null,
    metadata: r.metadata ? JSON.parse(r.metadata) : null,
    started_at: r.started_at as string,
    ...(r.ended_at ? { ended_at: r.ended_at } : {}),
    last_active_at: r.last_active_at as string,
    threads: Number(r.threads),
    token_usage_summary: {
      input_tokens: Number(r.input_tokens),
      output_tokens: Number(r.output_tokens),
      cache_read_input_tokens: Number(r.cache_read_input_tokens),
      cache_write_input_tokens: Number(r.cache_write_input_tokens),
    },
    cost_micros: Number(r.cost_micros),
    unpriced_interceptions: Number(r.unpriced_interceptions),
    ...(r.last_prompt ? { last_prompt: r.last_prompt } : {}),
  };
}

const ndjson = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

describe('aibridge export: every row through the cursors, NDJSON and CSV, resumable', {
  timeout: 120_000,
}, () => {
  const world = useCliWorld();
  let dir = '';
  let apiInterceptions: Interception[] = [];
  let apiSessions: Session[] = [];

  beforeAll(async () => {
    const w = world();
    dir = w.configDir();
    // Seeding 10,000 interceptions through the gateway would take minutes here: the demo's
    // traffic went through it (52), the bulk is written with SQL in the recorder's shape.
    const bulk = ROWS - w.story.interceptions;
    const users = [...w.people.values()];
    const seeds: SeedInterception[] = Array.from({ length: bulk }, (_, i) => ({
      initiatorId: (users[i % users.length] as { id: string }).id,
      provider: i % 3 === 0 ? 'openai' : 'anthropic',
      model: i % 3 === 0 ? 'gpt-5' : 'claude-sonnet-4-5',
      client: i % 5 === 0 ? null : i % 3 === 0 ? 'Codex' : 'Claude Code',
      startedAt: new Date(Date.UTC(2026, 5, 1) + i * 1000),
      metadata: i % 7 === 0 ? null : { Username: 'seed', n: i },
      tokens: [{ input: 100 + i, output: i % 50, cacheRead: i % 11, cacheWrite: i % 13 }],
      prompt: AWKWARD[i % AWKWARD.length],
      ...(i % 4 === 0
        ? { tools: [{ tool: 'Read', input: { file: `src/${i}.ts`, note: 'a "quoted", value' } }] }
        : {}),
    }));
    await new Seeder(w.server.running.db.kysely).interceptions(seeds);
    apiInterceptions = await allPages<Interception>(
      '/api/v2/aibridge/interceptions',
      'results',
      (r) => `after_id=${r.id}`,
    );
    apiSessions = await allPages<Session>(
      '/api/v2/aibridge/sessions',
      'sessions',
      (s) => `after_session_id=${encodeURIComponent(s.id)}&after_initiator_id=${s.initiator.id}`,
    );
    expect(apiInterceptions).toHaveLength(ROWS);
    expect(apiSessions.length).toBeGreaterThan(bulk);
  }, 180_000);

  async function allPages<T>(path: string, key: string, cursor: (row: T) => string): Promise<T[]> {
    const rows: T[] = [];
    for (let next = ''; ; ) {
      const page = await world().api<Record<string, T[]>>(`${path}?limit=1000${next}`);
      rows.push(...(page[key] ?? []));
      if ((page[key] ?? []).length < 1000) return rows;
      next = `&${cursor(rows.at(-1) as T)}`;
    }
  }

  it('exports 10k interceptions to NDJSON and CSV that round-trip to the API’s records', async () => {
    const w = world();
    const ndjsonFile = join(dir, 'interceptions.ndjson');
    const csvFile = join(dir, 'interceptions.csv');
    expect(await w.cli(['export', 'interceptions', '--file', ndjsonFile])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await w.cli(['export', 'interceptions', '-o', 'csv', '--file', csvFile])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const fromNdjson = ndjson<Interception>(readFileSync(ndjsonFile, 'utf8'));
    expect(fromNdjson).toEqual(apiInterceptions);
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Row[];
    expect(rows.map(interceptionFromCsv)).toEqual(fromNdjson);
    // The spreadsheet columns agree with the records.
    const awkward = rows.find((r) => r.prompt === AWKWARD[2]) as Row;
    const record = interceptionFromCsv(awkward);
    expect(Number(awkward.input_tokens)).toBe(
      record.token_usages.reduce((sum, t) => sum + t.input_tokens, 0),
    );
  });

  it('exports sessions to NDJSON and CSV, and filters exactly as the list does', async () => {
    const w = world();
    const out = await w.cli(['export', 'sessions']);
    expect(out.stderr).toBe('');
    const fromNdjson = ndjson<Session>(out.stdout);
    expect(fromNdjson).toEqual(apiSessions);
    const csv = await w.cli(['export', 'sessions', '-o', 'csv']);
    expect((parse(csv.stdout, { columns: true }) as Row[]).map(sessionFromCsv)).toEqual(fromNdjson);

    const bob = w.people.get('bob')?.id as string;
    const filtered = await w.cli(['export', 'interceptions', '--initiator', 'bob', '--since', '2026-05-01']);
    const expected = apiInterceptions.filter((i) => i.initiator.id === bob);
    expect(expected.length).toBeGreaterThan(1000);
    expect(ndjson<Interception>(filtered.stdout)).toEqual(expected);
  });

  it('resumes with --after, appending to the file without a second CSV header', async () => {
    const w = world();
    for (const [format, header] of [
      ['ndjson', 0],
      ['csv', 1],
    ] as const) {
      const whole = join(dir, `whole.${format}`);
      const part = join(dir, `part.${format}`);
      expect((await w.cli(['export', 'interceptions', '-o', format, '--file', whole])).code).toBe(0);
      // An export cut after 3,500 rows: the file ends on a whole row (CSV rows may span lines).
      const text = readFileSync(whole, 'utf8');
      const cut = format === 'ndjson' ? lineOffset(text, 3_500) : csvOffset(text, 3_500 + header);
      writeFileSync(part, text.slice(0, cut));
      const last = apiInterceptions[3_499] as Interception;
      const resumed = await w.cli([
        'export',
        'interceptions',
        '-o',
        format,
        '--file',
        part,
        '--after',
        last.id,
      ]);
      expect(resumed).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(part, 'utf8')).toBe(text);
    }
  });

  it('exports spend as FOCUS to a file and as hourly CSV to stdout, byte for byte what the API streams', async () => {
    const w = world();
    const file = join(dir, 'focus.csv');
    expect(await w.cli(['export', 'spend', '--format', 'focus', '--file', file])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const api = async (query: string) => {
      const res = await fetch(`${w.server.url}/api/v2/aibridge/spend/export?${query}`, {
        headers: { 'Coder-Session-Token': w.server.ownerToken },
      });
      return res.text();
    };
    const focus = readFileSync(file, 'utf8');
    expect(focus).toBe(await api('format=focus'));
    expect(parse(focus, { columns: true })).toHaveLength(ROWS);
    const hourly = await w.cli([
      'export',
      'spend',
      '--grain',
      'hour',
      '--initiator',
      'bob',
      '--since',
      '2026-05-01',
    ]);
    expect(hourly.stderr).toBe('');
    const q = `initiator:bob started_after:"2026-05-01T00:00:00.000Z"`;
    expect(hourly.stdout).toBe(await api(`grain=hour&q=${encodeURIComponent(q)}`));
    expect((parse(hourly.stdout, { columns: true }) as Row[]).every((r) => r.username === 'bob')).toBe(true);
    const bad = await w.cli(['export', 'spend', '--format', 'xlsx']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--format must be csv or focus');
  });

  it.skipIf(noTerminal)(
    'shows a progress bar on a terminal (rows, rate, ETA from the count), then a summary',
    async () => {
      const w = world();
      const file = join(dir, 'progress.ndjson');
      const run = await runInTerminal(['export', 'interceptions', '--file', file], w.env);
      expect(run.code).toBe(0);
      expect(run.screen).toMatch(/\d+\/10000 interceptions \| [\d,…]+ rows\/s \| ETA /);
      expect(run.screen).toMatch(
        new RegExp(`Exported 10,000 interceptions to ${file} in \\S+ \\([\\d,]+ rows/s\\)\\.`),
      );
      expect(ndjson<Interception>(readFileSync(file, 'utf8'))).toHaveLength(ROWS);
    },
  );
});

/** Where the text after `lines` newline-terminated lines starts. */
function lineOffset(text: string, lines: number): number {
  let offset = 0;
  for (let i = 0; i < lines; i++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}

/** Where the text after `records` CSV records starts (newlines inside quotes do not end one). */
function csvOffset(text: string, records: number): number {
  let quoted = false;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted && ++seen === records) return i + 1;
  }
  return text.length;
}
