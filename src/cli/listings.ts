import type { Interception, Session } from './api-types.js';
import { compactNumber, dollars, localTime } from './format.js';
import type { Listing } from './output.js';
import type { CursorWalk } from './pages.js';

/** Token totals of a row as one cell: in/out/cache (cache reads plus writes). */
function tokensCell(t: {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}): string {
  const cache = t.cache_read_input_tokens + t.cache_write_input_tokens;
  return `${compactNumber(t.input_tokens)}/${compactNumber(t.output_tokens)}/${compactNumber(cache)}`;
}

const tokenSums = new WeakMap<Interception, ReturnType<typeof sumTokens>>();

/** Summed token usages of one interception (CSV totals and the table), computed once per row. */
function interceptionTokens(row: Interception): ReturnType<typeof sumTokens> {
  let sum = tokenSums.get(row);
  if (!sum) {
    sum = sumTokens(row);
    tokenSums.set(row, sum);
  }
  return sum;
}

function sumTokens(row: Interception) {
  const sum = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_write_input_tokens: 0 };
  for (const usage of row.token_usages) {
    sum.input_tokens += usage.input_tokens;
    sum.output_tokens += usage.output_tokens;
    sum.cache_read_input_tokens += usage.cache_read_input_tokens;
    sum.cache_write_input_tokens += usage.cache_write_input_tokens;
  }
  return sum;
}

/** A session's cost; `+?` when some of its interceptions have no price (so the sum is a floor). */
function sessionCost(s: Session): string {
  if (s.unpriced_interceptions > 0 && s.cost_micros === 0) return '—';
  return s.unpriced_interceptions > 0 ? `${dollars(s.cost_micros)}+?` : dollars(s.cost_micros);
}

const lastPrompt = (row: Interception) => row.user_prompts.at(-1)?.prompt ?? '';

/** Sessions: most recently active first. */
export const SESSIONS: Listing<Session> = {
  noun: 'sessions',
  table: [
    { header: 'ID', cell: (s) => s.id },
    { header: 'LAST ACTIVE', cell: (s) => localTime(s.last_active_at) },
    { header: 'USER', cell: (s) => s.initiator.username, minWidth: 8 },
    { header: 'CLIENT', cell: (s) => s.client ?? 'Unknown', minWidth: 8 },
    {
      header: 'MODELS',
      cell: (s) => (s.models.length > 1 ? `${s.models[0]} +${s.models.length - 1}` : (s.models[0] ?? '')),
      minWidth: 10,
    },
    { header: 'THREADS', cell: (s) => String(s.threads), align: 'right' },
    { header: 'IN/OUT/CACHE', cell: (s) => tokensCell(s.token_usage_summary), align: 'right' },
    { header: 'COST', cell: (s) => sessionCost(s), align: 'right' },
    { header: 'LAST PROMPT', cell: (s, t) => t.colors.dim(s.last_prompt ?? ''), flex: true },
  ],
  csv: [
    { name: 'id', value: (s) => s.id },
    { name: 'initiator_id', value: (s) => s.initiator.id },
    { name: 'initiator_username', value: (s) => s.initiator.username },
    { name: 'initiator_name', value: (s) => s.initiator.name },
    { name: 'initiator_avatar_url', value: (s) => s.initiator.avatar_url },
    { name: 'client', value: (s) => s.client },
    { name: 'providers', value: (s) => s.providers },
    { name: 'models', value: (s) => s.models },
    { name: 'started_at', value: (s) => s.started_at },
    { name: 'ended_at', value: (s) => s.ended_at },
    { name: 'last_active_at', value: (s) => s.last_active_at },
    { name: 'threads', value: (s) => s.threads },
    { name: 'input_tokens', value: (s) => s.token_usage_summary.input_tokens },
    { name: 'output_tokens', value: (s) => s.token_usage_summary.output_tokens },
    { name: 'cache_read_input_tokens', value: (s) => s.token_usage_summary.cache_read_input_tokens },
    { name: 'cache_write_input_tokens', value: (s) => s.token_usage_summary.cache_write_input_tokens },
    { name: 'cost_micros', value: (s) => s.cost_micros },
    { name: 'unpriced_interceptions', value: (s) => s.unpriced_interceptions },
    { name: 'last_prompt', value: (s) => s.last_prompt },
    { name: 'metadata', value: (s) => s.metadata },
  ],
};

/** Interceptions: newest first. CSV has the token totals and last prompt, then every record as JSON. */
export const INTERCEPTIONS: Listing<Interception> = {
  noun: 'interceptions',
  table: [
    { header: 'ID', cell: (i) => i.id },
    { header: 'STARTED', cell: (i) => localTime(i.started_at, true) },
    { header: 'USER', cell: (i) => i.initiator.username, minWidth: 8 },
    { header: 'CLIENT', cell: (i) => i.client ?? 'Unknown', minWidth: 8 },
    { header: 'MODEL', cell: (i) => i.model, minWidth: 10 },
    { header: 'IN/OUT/CACHE', cell: (i) => tokensCell(interceptionTokens(i)), align: 'right' },
    { header: 'COST', cell: (i) => dollars(i.cost_micros), align: 'right' },
    { header: 'TOOLS', cell: (i) => String(i.tool_usages.length), align: 'right' },
    { header: 'PROMPT', cell: (i, t) => t.colors.dim(lastPrompt(i)), flex: true },
  ],
  csv: [
    { name: 'id', value: (i) => i.id },
    { name: 'started_at', value: (i) => i.started_at },
    { name: 'ended_at', value: (i) => i.ended_at },
    { name: 'initiator_id', value: (i) => i.initiator.id },
    { name: 'initiator_username', value: (i) => i.initiator.username },
    { name: 'initiator_name', value: (i) => i.initiator.name },
    { name: 'initiator_avatar_url', value: (i) => i.initiator.avatar_url },
    { name: 'api_key_id', value: (i) => i.api_key_id },
    { name: 'provider', value: (i) => i.provider },
    { name: 'model', value: (i) => i.model },
    { name: 'client', value: (i) => i.client },
    { name: 'input_tokens', value: (i) => interceptionTokens(i).input_tokens },
    { name: 'output_tokens', value: (i) => interceptionTokens(i).output_tokens },
    { name: 'cache_read_input_tokens', value: (i) => interceptionTokens(i).cache_read_input_tokens },
    { name: 'cache_write_input_tokens', value: (i) => interceptionTokens(i).cache_write_input_tokens },
    { name: 'cost_micros', value: (i) => i.cost_micros },
    { name: 'prompt', value: lastPrompt },
    { name: 'metadata', value: (i) => i.metadata },
    { name: 'token_usages', value: (i) => i.token_usages },
    { name: 'user_prompts', value: (i) => i.user_prompts },
    { name: 'tool_usages', value: (i) => i.tool_usages },
  ],
};

/** Where the sessions list is and how its cursor follows a row (list, `--all` and export). */
export const SESSION_PAGES: Pick<CursorWalk<Session>, 'path' | 'key' | 'cursorAfter'> = {
  path: '/api/v2/aibridge/sessions',
  key: 'sessions',
  cursorAfter: (row) => ({ after_session_id: row.id, after_initiator_id: row.initiator.id }),
};

/** Where the interceptions list is and how its cursor follows a row. */
export const INTERCEPTION_PAGES: Pick<CursorWalk<Interception>, 'path' | 'key' | 'cursorAfter'> = {
  path: '/api/v2/aibridge/interceptions',
  key: 'results',
  cursorAfter: (row) => ({ after_id: row.id }),
};
