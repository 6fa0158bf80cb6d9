#!/usr/bin/env node
// Side-by-side table (Markdown) from run.sh's TSV: overhead of each target vs the baseline target.
//   node compare.mjs RESULTS.tsv [label ...]      BASELINE=direct (default)
// Rows repeated for the same (label, scenario, conns) (ROUNDS>1) are reduced to the median of each column.
import fs from 'node:fs';

const [file, ...only] = process.argv.slice(2);
if (!file) {
  console.error('usage: compare.mjs RESULTS.tsv [label ...]');
  process.exit(2);
}
const BASE = process.env.BASELINE || 'direct';
const text = fs.readFileSync(file, 'utf8').trim().split('\n');
const cols = text[0].split('\t');
const rows = text
  .filter((l) => l && !l.startsWith('ts\t'))
  .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])));

const median = (xs) => {
  const v = xs
    .filter((x) => x !== '-' && x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return v.length
    ? v.length % 2
      ? v[(v.length - 1) / 2]
      : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
    : NaN;
};
const groups = new Map();
for (const r of rows) {
  const k = `${r.label}|${r.scenario}|${r.conns}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
const agg = new Map();
for (const [k, rs] of groups) {
  const a = { label: rs[0].label, scenario: rs[0].scenario, conns: Number(rs[0].conns), n: rs.length };
  for (const c of [
    'rps',
    'p50_ms',
    'p99_ms',
    'errors',
    'gw_cpu_us_req',
    'gw_rss_mb_peak',
    'cpu0_pct',
    'cpu1_pct',
  ])
    a[c] = median(rs.map((r) => r[c]));
  agg.set(k, a);
}
const labels = [...new Set([...agg.values()].map((a) => a.label))].filter(
  (l) => !only.length || only.includes(l) || l === BASE,
);
const order = ['chat', 'chat-stream', 'messages', 'messages-stream', 'responses', 'responses-stream'];
const keys = [...new Set([...agg.values()].map((a) => `${a.scenario}|${a.conns}`))].sort((x, y) => {
  const [s1, c1] = x.split('|'),
    [s2, c2] = y.split('|');
  return order.indexOf(s1) - order.indexOf(s2) || c1 - c2;
});

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const sign = (x, d = 2) => (Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(d) : '-');
console.log(
  `| scenario | conns | target | RPS | RPS vs ${BASE} | p50 ms | Δp50 ms | p99 ms | Δp99 ms | gw CPU µs/req | gw RSS peak MB | errors | runs |`,
);
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const k of keys) {
  const [sc, c] = k.split('|'),
    b = agg.get(`${BASE}|${sc}|${c}`);
  for (const l of labels) {
    const a = agg.get(`${l}|${sc}|${c}`);
    if (!a) continue;
    const isBase = l === BASE;
    console.log(
      `| ${sc} | ${c} | ${l} | ${f(a.rps, 0)} | ${isBase ? '1.00×' : !b ? '-' : `${(a.rps / b.rps).toFixed(2)}×`} | ${f(a.p50_ms, 2)} | ${isBase || !b ? '' : sign(a.p50_ms - b.p50_ms)} | ${f(a.p99_ms, 2)} | ${isBase || !b ? '' : sign(a.p99_ms - b.p99_ms)} | ${f(a.gw_cpu_us_req, 0)} | ${f(a.gw_rss_mb_peak)} | ${f(a.errors, 0)} | ${a.n} |`,
    );
  }
}
