// Zero lost, zero mis-recorded: after each aibridge run, what aibridge recorded (its usage
// aggregate: ended interceptions and token sums per provider) must equal what the fake provider
// served (its /_stats request counts × the fixed usage it reports per response).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PB_STATE, sleep, TOKEN, upstreamStats } from './procs.mjs';

const CHUNKS = Number(process.env.FAKE_CHUNKS ?? 20);
const CACHE_READ = Number(process.env.FAKE_CACHE_READ ?? 2048);
const CACHE_WRITE = Number(process.env.FAKE_CACHE_WRITE ?? 256);
const ROUTE = {
  chat: 'openai',
  'chat-stream': 'openai',
  responses: 'openai',
  'responses-stream': 'openai',
  messages: 'anthropic',
  'messages-stream': 'anthropic',
};
const COUNTER = {
  chat: 'chat',
  'chat-stream': 'chat',
  responses: 'responses',
  'responses-stream': 'responses',
  messages: 'messages',
  'messages-stream': 'messages',
};

/** The usage the fake reports for one request of a scenario (input ≈ body chars ÷ 4, as fake-upstream.mjs). */
export function usagePerRequest(scenario, padKb) {
  const len = readFileSync(join(PB_STATE, 'bodies', `${scenario}-pad${padKb}.json`), 'utf8').length;
  const anthropic = ROUTE[scenario] === 'anthropic';
  return {
    input: Math.max(1, Math.ceil(len / 4)),
    output: CHUNKS,
    cacheRead: anthropic ? CACHE_READ : 0,
    cacheWrite: anthropic ? CACHE_WRITE : 0,
  };
}

const zero = () => ({ interceptions: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/**
 * What one aibridge instance should hold, grown run by run. wrk cuts the requests in flight
 * when it stops (warmup and measurement): aibridge records those as failed interceptions,
 * some before they reached the provider, some after (the usage never came back). So per
 * provider, with completed/failed from aibridge's own interception counters:
 *   recorded interceptions = completed + failed          (no start or end row lost)
 *   completed ≤ served by the fake ≤ completed + failed   (every served request has its record)
 *   tokens: completed × usage ≤ recorded ≤ (completed + failed) × usage, and exactly
 *   served × usage when nothing was cut (failed = 0).
 */
export class Ledger {
  constructor(instance) {
    this.instance = instance;
    this.served = { openai: 0, anthropic: 0 };
    this.low = { openai: zero(), anthropic: zero() };
    this.high = { openai: zero(), anthropic: zero() };
    this.exact = { openai: zero(), anthropic: zero() };
    this.counted = { openai: { completed: 0, failed: 0 }, anthropic: { completed: 0, failed: 0 } };
    this.checks = [];
  }

  /** Call before one run against this instance: returns the function to call after it. */
  async around(scenario, padKb) {
    await this.quiet();
    const before = await upstreamStats();
    const countsBefore = await interceptionCounts(this.instance.url);
    return async (label, compare = true) => {
      await this.quiet();
      const after = await upstreamStats();
      const counts = await interceptionCounts(this.instance.url);
      const p = ROUTE[scenario];
      const served = after[COUNTER[scenario]] - before[COUNTER[scenario]];
      const other = Object.keys(after).reduce(
        (n, k) => n + (k === COUNTER[scenario] ? 0 : after[k] - before[k]),
        0,
      );
      const completed = counts[p].completed - countsBefore[p].completed;
      const failed = counts[p].failed - countsBefore[p].failed;
      const u = usagePerRequest(scenario, padKb);
      this.served[p] += served;
      this.counted[p].completed += completed;
      this.counted[p].failed += failed;
      add(this.low[p], completed, u);
      add(this.high[p], completed + failed, u);
      add(this.exact[p], served, u);
      if (!compare) return undefined;
      const check = await this.compare();
      this.checks.push({ label, scenario, padKb, served, otherServed: other, completed, failed, ...check });
      return check;
    };
  }

  /** Waits until aibridge has nothing in flight (its inflight gauge is 0 and the recorder queue empty). */
  async quiet() {
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000) {
      const text = await (await fetch(`${this.instance.url}/metrics`)).text();
      const inflight = sumMetric(text, 'aibridge_interceptions_inflight');
      const queue = sumMetric(text, 'aibridge_recorder_queue_depth');
      if (inflight === 0 && queue === 0) return;
      await sleep(100);
    }
  }

  /** Polls aibridge's usage aggregate until it satisfies the ledger (the recorder drains) or 20 s pass. */
  async compare() {
    const t0 = Date.now();
    for (;;) {
      const got = await recorded(this.instance.url);
      const diff = this.diff(got);
      if (diff.length === 0 || Date.now() - t0 > 20_000) {
        const cut = this.counted.openai.failed + this.counted.anthropic.failed;
        return { ok: diff.length === 0, drainMs: Date.now() - t0, cutAtStop: cut, diff };
      }
      await sleep(200);
    }
  }

  diff(got) {
    const out = [];
    for (const p of ['openai', 'anthropic']) {
      const { completed, failed } = this.counted[p];
      const g = got[p];
      if (g.interceptions !== completed + failed)
        out.push(
          `${p}: ${g.interceptions} interceptions recorded, aibridge counted ${completed} completed + ${failed} failed`,
        );
      if (this.served[p] < completed || this.served[p] > completed + failed)
        out.push(`${p}: fake served ${this.served[p]}, aibridge completed ${completed} + failed ${failed}`);
      for (const k of ['input', 'output', 'cacheRead', 'cacheWrite']) {
        const want = failed === 0 ? `= ${this.exact[p][k]}` : `in [${this.low[p][k]}, ${this.high[p][k]}]`;
        const ok =
          failed === 0 ? g[k] === this.exact[p][k] : g[k] >= this.low[p][k] && g[k] <= this.high[p][k];
        if (!ok) out.push(`${p}.${k}: recorded ${g[k]}, want ${want}`);
      }
    }
    return out;
  }
}

function add(t, n, u) {
  t.interceptions += n;
  t.input += n * u.input;
  t.output += n * u.output;
  t.cacheRead += n * u.cacheRead;
  t.cacheWrite += n * u.cacheWrite;
}

function sumMetric(text, name, filter = () => true) {
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && filter(m[2] ?? '')) n += Number(m[3]);
  }
  return n;
}

/** aibridge's own count of interceptions by provider and outcome (Prometheus counters). */
async function interceptionCounts(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {};
  for (const p of ['openai', 'anthropic']) {
    out[p] = {};
    for (const status of ['completed', 'failed']) {
      out[p][status] = sumMetric(
        text,
        'aibridge_interceptions_total',
        (l) => l.includes(`provider="${p}"`) && l.includes(`status="${status}"`),
      );
    }
  }
  return out;
}

/** Ended interceptions and token sums per provider, from aibridge's own usage API. */
export async function recorded(url) {
  const res = await fetch(`${url}/api/v2/aibridge/usage?bucket=day`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  if (!res.ok) throw new Error(`usage API: HTTP ${res.status} ${await res.text()}`);
  const body = await res.json();
  const out = { openai: zero(), anthropic: zero() };
  for (const row of body.by_model) {
    const t = out[row.provider];
    if (!t) continue;
    t.interceptions += row.interceptions;
    t.input += row.input_tokens;
    t.output += row.output_tokens;
    t.cacheRead += row.cache_read_input_tokens;
    t.cacheWrite += row.cache_write_input_tokens;
  }
  return out;
}
