// Renders bench/results/gateway-variants.md from gateway-variants.json: one section per
// `SECTION=<name> VARIANTS=… npm run bench:gateway` run (index.mjs). Each section: the machine,
// load before and after, the build (git commit) behind every row, the command, the medians with
// their spread across rounds, and every variant against the reference row round by round
// (paired: each round's variant figure minus the same round's reference figure), so the noise of
// the comparison is stated next to it. With nginx and Portkey in the run, also the ratios to them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './procs.mjs';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const ORDER = ['chat', 'chat-stream', 'messages', 'messages-stream', 'responses', 'responses-stream'];

/** `abc1234 subject` of a checkout's HEAD, flagged when its src/ has uncommitted changes. */
export function revision(root) {
  const git = (args) => {
    try {
      return execFileSync('git', ['-C', root, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = git(['status', '--porcelain', 'src']) ? ' (+ uncommitted src changes)' : '';
  return `${git(['log', '-1', '--format=%h %cs %s'])}${dirty}`;
}

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const sign = (x, d = 2) => (Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(d) : '-');
const pct = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-');
/** median [min–max] of a list, each formatted by `fmt`. */
const spread = (xs, fmt) => {
  const v = xs.filter((x) => Number.isFinite(x));
  if (!v.length) return '-';
  return v.length === 1 ? fmt(v[0]) : `${fmt(median(v))} [${fmt(Math.min(...v))} … ${fmt(Math.max(...v))}]`;
};

/** Rows of one TSV grouped by label|scenario|conns, in run order (the k-th row is round k). */
function rounds(tsvPath) {
  const lines = readFileSync(tsvPath, 'utf8').trim().split('\n');
  const cols = lines[0].split('\t');
  const g = new Map();
  for (const l of lines.slice(1)) {
    if (l.startsWith('ts\t')) continue;
    const r = Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v]));
    const k = `${r.label}|${r.scenario}|${r.conns}`;
    if (!g.has(k)) g.set(k, []);
    const num = (c) => (r[c] === '-' || r[c] === undefined ? Number.NaN : Number(r[c]));
    g.get(k).push({
      rps: num('rps'),
      p50: num('p50_ms'),
      p99: num('p99_ms'),
      cpu: num('gw_cpu_us_req'),
      errors: num('errors'),
    });
  }
  return g;
}

/** Per round, `fn(variant row, reference row)` for the rounds both have. */
const paired = (a, b, fn) => (a ?? []).slice(0, (b ?? []).length).map((x, k) => fn(x, b[k]));

function section(name, s) {
  const out = [];
  const t = s.table;
  const m = s.machine ?? {};
  out.push(`## ${name}`, '');
  if (s.about) out.push(s.about, '');
  out.push(
    `Machine: ${m.nproc} cores, ${m.cpu}, ${m.ramGiB} GiB RAM · node ${m.node} · ${m.postgres} (a private cluster per aibridge row, stock durability) · ${m.date}`,
  );
  for (const [k, l] of (t.load ?? []).entries())
    out.push(`Load (uptime), job ${k + 1}: before \`${l.before}\`; after \`${l.after}\``);
  out.push('', `Command: \`${t.command}\``, '', 'Builds:');
  for (const [l, rev] of Object.entries(t.builds ?? {})) {
    const v = t.variants?.[l];
    const what = v
      ? [
          v.budget ? 'a default budget (admission, reservation, settlement on every request)' : '',
          ...Object.entries(v.env ?? {}).map(([k, x]) => `${k}=${x}`),
          v.root ? `build in ${v.root}` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : 'default settings';
    out.push(`- ${l}: git ${rev} — ${what}`);
  }
  out.push(
    '',
    `${t.rounds} rounds of ${t.duration} s, targets interleaved per scenario × concurrency (aibridge rows in an order rotated every round). ` +
      'Fake upstream, wrk and samplers on CPU 0; every gateway (with its PostgreSQL) on CPU 1. CPU per request counts the aibridge process and its PostgreSQL cluster.',
  );
  for (const pad of Object.keys(t.tsv).sort((x, y) => x - y)) {
    const path = join(RESULTS_DIR, t.tsv[pad]);
    if (!existsSync(path)) continue;
    const g = rounds(path);
    const keys = [...new Set([...g.keys()].map((k) => k.split('|').slice(1).join('|')))].sort((x, y) => {
      const [s1, c1] = x.split('|');
      const [s2, c2] = y.split('|');
      return ORDER.indexOf(s1) - ORDER.indexOf(s2) || c1 - c2;
    });
    const labels = t.targets;
    out.push(
      '',
      `### ${Number(pad) ? `Bodies padded by ${pad} KiB: ` : ''}medians [min … max over rounds]`,
      '',
      '| scenario | conns | target | RPS | p50 ms | Δp50 vs direct ms | p99 ms | CPU µs/req | errors | rounds |',
      '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const k of keys) {
      const [sc, c] = k.split('|');
      const direct = g.get(`direct|${k}`);
      for (const l of labels) {
        const rs = g.get(`${l}|${k}`);
        if (!rs) continue;
        const d50 =
          l === 'direct'
            ? ''
            : spread(
                paired(rs, direct, (a, b) => a.p50 - b.p50),
                sign,
              );
        out.push(
          `| ${sc} | ${c} | ${l} | ${spread(
            rs.map((r) => r.rps),
            (x) => f(x, 0),
          )} | ${spread(
            rs.map((r) => r.p50),
            (x) => f(x, 2),
          )} | ${d50} | ${f(median(rs.map((r) => r.p99)), 2)} | ${
            l === 'direct'
              ? '-'
              : spread(
                  rs.map((r) => r.cpu),
                  (x) => f(x, 0),
                )
          } | ${f(median(rs.map((r) => r.errors)), 0)} | ${rs.length} |`,
        );
      }
    }
    for (const ref of (s.reference ?? 'aibridge-pg').split(/\s+/).filter(Boolean)) {
      const others = labels.filter((l) => l.startsWith('aibridge-') && l !== ref);
      if (!others.length || !labels.includes(ref)) continue;
      out.push(
        '',
        `### Against ${ref}, round by round (median [min … max] of the per-round differences)`,
        '',
        `Noise: the round-to-round spread of ${ref} itself, (max − min) / median, is given per scenario.`,
        '',
        `| scenario | conns | target | RPS vs ${ref} | Δp50 vs ${ref} ms | CPU µs/req vs ${ref} | ${ref} RPS spread | ${ref} p50 spread ms |`,
        '|---|---:|---|---:|---:|---:|---:|---:|',
      );
      for (const k of keys) {
        const [sc, c] = k.split('|');
        const b = g.get(`${ref}|${k}`);
        if (!b) continue;
        const rpsNoise =
          (Math.max(...b.map((r) => r.rps)) - Math.min(...b.map((r) => r.rps))) / median(b.map((r) => r.rps));
        const p50Noise = Math.max(...b.map((r) => r.p50)) - Math.min(...b.map((r) => r.p50));
        for (const l of others) {
          const a = g.get(`${l}|${k}`);
          if (!a) continue;
          out.push(
            `| ${sc} | ${c} | ${l} | ${spread(
              paired(a, b, (x, y) => x.rps / y.rps - 1),
              pct,
            )} | ${spread(
              paired(a, b, (x, y) => x.p50 - y.p50),
              sign,
            )} | ${spread(
              paired(a, b, (x, y) => x.cpu - y.cpu),
              (x) => sign(x, 0),
            )} | ${pct(rpsNoise).replace('+', '')} | ${f(p50Noise, 2)} |`,
          );
        }
      }
    }
    const peers = ['nginx', 'portkey'].filter((p) => labels.includes(p));
    if (peers.length) {
      out.push(
        '',
        '### Against the peers (medians)',
        '',
        `| scenario | conns | target | Δp50 vs direct ms |${peers.includes('nginx') ? ' Δp50 vs nginx ms | CPU/req ÷ nginx |' : ''}${peers.includes('portkey') ? ' RPS ÷ Portkey | CPU/req ÷ Portkey |' : ''}`,
        `|---|---:|---|---:|${peers.map(() => '---:|---:|').join('')}`,
      );
      for (const k of keys) {
        const [sc, c] = k.split('|');
        const med = (l, col) => median((g.get(`${l}|${k}`) ?? []).map((r) => r[col]));
        for (const l of labels.filter((x) => x.startsWith('aibridge-'))) {
          if (!g.get(`${l}|${k}`)) continue;
          const cells = [sign(med(l, 'p50') - med('direct', 'p50'))];
          if (peers.includes('nginx'))
            cells.push(
              sign(med(l, 'p50') - med('nginx', 'p50')),
              `${f(med(l, 'cpu') / med('nginx', 'cpu'))}×`,
            );
          if (peers.includes('portkey'))
            cells.push(
              `${f(med(l, 'rps') / med('portkey', 'rps'), 2)}×`,
              `${f(med(l, 'cpu') / med('portkey', 'cpu'), 2)}×`,
            );
          out.push(`| ${sc} | ${c} | ${l} | ${cells.join(' | ')} |`);
        }
      }
    }
  }
  if (s.split?.length) {
    out.push(
      '',
      '### CPU per request, the aibridge process and its PostgreSQL apart (median [min … max] over rounds; whole run.sh call, warmup included, per request served)',
      '',
      ...(s.splitMissesNewBackends
        ? [
            'This run counted only the PostgreSQL backends alive when each call began, so a build whose pool opened its connections during the call (here 20a2f01, and partly a1ca6af) shows too little PostgreSQL CPU; the CPU per request column of the first table counts them all. Later runs count backends that appear during the call.',
            '',
          ]
        : []),
      '| scenario | conns | target | aibridge (node) µs/req | PostgreSQL µs/req |',
      '|---|---:|---|---:|---:|',
    );
    const g = new Map();
    for (const r of s.split.filter((x) => x.padKb === 0)) {
      const k = `${r.scenario}|${r.conns}|${r.label}`;
      if (!g.has(k)) g.set(k, []);
      g.get(k).push(r);
    }
    const keys = [...g.keys()].sort((x, y) => {
      const [s1, c1, l1] = x.split('|');
      const [s2, c2, l2] = y.split('|');
      return (
        ORDER.indexOf(s1) - ORDER.indexOf(s2) || c1 - c2 || t.targets.indexOf(l1) - t.targets.indexOf(l2)
      );
    });
    for (const k of keys) {
      const rs = g.get(k);
      const [sc, c, l] = k.split('|');
      out.push(
        `| ${sc} | ${c} | ${l} | ${spread(
          rs.map((r) => r.nodeUsReq),
          (x) => f(x, 0),
        )} | ${spread(
          rs.map((r) => r.pgUsReq),
          (x) => f(x, 0),
        )} |`,
      );
    }
  }
  const checks = Object.entries(t.checks ?? {});
  out.push('', '### Recording checks', '');
  out.push(
    'After every aibridge run the recorded interceptions and token sums are compared with what the fake served (as in gateway.md).',
  );
  for (const [l, c] of checks) {
    const bad = c.filter((x) => !x.ok);
    out.push(
      `- ${l}: ${c.length} checks, ${c.reduce((n, x) => n + x.served, 0)} requests served, ${bad.length ? `MISMATCHES: ${bad.map((x) => `${x.label}: ${x.diff.join('; ')}`).join(' | ')}` : 'all equal'}.`,
    );
  }
  for (const [l, b] of Object.entries(t.budgets ?? {}))
    out.push(`- ${l} budgets at the end (\`GET /api/v2/aibridge/budgets/me\`): \`${JSON.stringify(b)}\``);
  if (s.floor)
    out.push(
      '',
      `Start-row commit floor on aibridge-pg's cluster (pgbench, 1 client): ${f(s.floor.syncInterceptionInsertMs, 3)} ms synchronous, ${f(s.floor.asyncInterceptionInsertMs, 3)} ms asynchronous.`,
    );
  return out;
}

/** Writes gateway-variants.md (every section); prints it too when `print`. */
export function renderVariants(all, print = false) {
  const out = [
    '# Gateway variants side by side (`SECTION=… VARIANTS=… npm run bench:gateway`)',
    '',
    'Each section is one run: every row measured in the same run, interleaved, so the comparison between rows is not across runs. ' +
      'Knobs: the top of `bench/gateway/index.mjs`. Raw rows: `gateway-raw/variants-<section>-pad0.tsv`.',
  ];
  for (const [name, s] of Object.entries(all.sections ?? {})) if (s.table) out.push('', ...section(name, s));
  out.push('');
  writeFileSync(join(RESULTS_DIR, 'gateway-variants.md'), out.join('\n'));
  if (print) console.log(out.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(RESULTS_DIR, 'gateway-variants.json');
  if (!existsSync(file)) throw new Error(`no ${file}: run SECTION=… npm run bench:gateway first`);
  renderVariants(JSON.parse(readFileSync(file, 'utf8')), true);
}
