// Renders bench/results/gateway.md from gateway.json (+ the raw TSVs): the issue's section-1
// targets with what was measured (MET / NOT MET), then the side-by-side tables.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { HARNESS, ROOT } from './procs.mjs';

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Machine, versions and revision for the results header. */
export function machine(pgVersion) {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  const pglite = JSON.parse(
    readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ).version;
  const git = (args) => {
    try {
      return execFileSync('git', ['-C', ROOT, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '?';
    }
  };
  return {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu,
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgVersion ?? '-',
    pglite,
    rev: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', 'src']) ? ' (+ uncommitted src changes)' : ''}`,
  };
}

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Median of each column per label|scenario|conns, as compare.mjs does. */
function aggregate(tsvPath) {
  const lines = readFileSync(tsvPath, 'utf8').trim().split('\n');
  const cols = lines[0].split('\t');
  const groups = new Map();
  for (const l of lines.slice(1)) {
    if (l.startsWith('ts\t')) continue;
    const r = Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v]));
    const k = `${r.label}|${r.scenario}|${r.conns}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const agg = new Map();
  for (const [k, rs] of groups) {
    const a = {};
    for (const c of ['rps', 'p50_ms', 'p99_ms', 'errors', 'gw_cpu_us_req', 'gw_rss_mb_peak'])
      a[c] = median(rs.map((r) => Number(r[c])));
    agg.set(k, a);
  }
  return agg;
}

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const sign = (x, d = 2) => (Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(d) : '-');
const met = (ok) => (ok === undefined ? '-' : ok ? '**MET**' : '**NOT MET**');

/** Writes gateway.md; prints the tables too when `print`. */
export function render(results, print = false) {
  const out = [];
  const m = results.machine ?? {};
  const t = results.table;
  const tsvPath = (pad) => join(RESULTS_DIR, t.tsv[pad]);
  out.push('# Gateway overhead (`npm run bench:gateway`)', '');
  out.push(
    `Machine: ${m.nproc} cores, ${m.cpu}, ${m.ramGiB} GiB RAM · node ${m.node} · ${m.postgres} (private cluster, stock durability: fsync on, synchronous_commit on) · PGlite ${m.pglite} · ${m.date} · git ${m.rev}`,
  );
  if (t) {
    for (const [n, l] of (t.load ?? []).entries())
      out.push(`Load (uptime), table job ${n + 1}: before \`${l.before}\`; after \`${l.after}\``);
    out.push(
      '',
      `Layout: fake upstream, wrk and samplers on CPU 0; nginx, Portkey and aibridge (with its PostgreSQL) each on CPU 1, all in the same run,` +
        ` interleaved per scenario × concurrency, ${t.rounds} rounds of ${t.duration} s (medians). Δ = difference to calling the fake directly.` +
        ' aibridge-pg CPU and RSS in the tables include its PostgreSQL processes (RSS there double-counts shared buffers; see Memory for the honest split).',
    );
  }
  out.push('', '## Targets (issue 5, section 1)', '', '| target | measured | result |', '|---|---|---|');
  const targets = [];
  if (t) {
    const a = aggregate(tsvPath(0));
    const get = (l, sc, c) => a.get(`${l}|${sc}|${c}`);
    const scs = [...new Set([...a.keys()].map((k) => k.split('|')[1]))];
    for (const db of ['aibridge-pg', 'aibridge-pglite']) {
      if (!t.targets.includes(db)) continue;
      const d50 = scs.map((sc) => [sc, get(db, sc, 1)?.p50_ms - get('direct', sc, 1)?.p50_ms]);
      const w50 = Math.max(...d50.map((x) => x[1]));
      targets.push([
        `added p50 ≤ 0.3 ms at 1 conn (${db})`,
        d50.map(([s, v]) => `${s} ${sign(v)}`).join(', '),
        met(w50 <= 0.3),
      ]);
      const d99 = scs.map((sc) => [sc, get(db, sc, 16)?.p99_ms - get('direct', sc, 16)?.p99_ms]);
      const w99 = Math.max(...d99.map((x) => x[1]));
      targets.push([
        `added p99 ≤ 2 ms at 16 conns (${db})`,
        d99.map(([s, v]) => `${s} ${sign(v)}`).join(', '),
        met(w99 <= 2),
      ]);
      if (t.targets.includes('portkey')) {
        const ratios = scs.flatMap((sc) =>
          [16, 64].map((c) => [`${sc}@${c}`, get(db, sc, c)?.rps / get('portkey', sc, c)?.rps]),
        );
        const low = Math.min(...ratios.map((x) => x[1]));
        targets.push([
          `throughput ≥ 10× Portkey at 16/64 conns (${db})`,
          ratios.map(([s, v]) => `${s} ${f(v)}×`).join(', '),
          met(low >= 10),
        ]);
      }
      if (t.targets.includes('nginx')) {
        const ratios = scs.flatMap((sc) =>
          [1, 16, 64].map((c) => [
            `${sc}@${c}`,
            get(db, sc, c)?.gw_cpu_us_req / get('nginx', sc, c)?.gw_cpu_us_req,
          ]),
        );
        const high = Math.max(...ratios.map((x) => x[1]));
        targets.push([
          `CPU/request (gateway + DB) ≤ 4× nginx (${db})`,
          ratios.map(([s, v]) => `${s} ${f(v)}×`).join(', '),
          met(high <= 4),
        ]);
      }
    }
  }
  if (results.probe) {
    const rows = results.probe.rows;
    for (const db of ['aibridge-pg', 'aibridge-pglite']) {
      const scs = [...new Set(rows.map((r) => r.scenario))];
      const d = scs.map((sc) => {
        const ttfb = (l) =>
          median(rows.filter((r) => r.label === l && r.scenario === sc).map((r) => r.ttfbMs));
        return [sc, ttfb(db) - ttfb('direct')];
      });
      if (d.every(([, v]) => !Number.isFinite(v))) continue;
      targets.push([
        `TTFB within 1 ms of direct (${db}; upstream 50 ms TTFB, 5 ms chunks)`,
        d.map(([s, v]) => `${s} ${sign(v)} ms`).join(', '),
        met(Math.max(...d.map((x) => x[1])) <= 1),
      ]);
    }
  }
  if (results.streams) {
    for (const db of ['aibridge-pg', 'aibridge-pglite']) {
      const rs = results.streams.rows.filter((r) => r.label === db);
      if (!rs.length) continue;
      const stalls = rs.reduce((n, r) => n + r.stalls, 0);
      targets.push([
        `${rs[0].streams} concurrent streams, 20 ms chunk gaps: no gap > 50 ms (${db})`,
        rs
          .map(
            (r) =>
              `${r.scenario}: ${r.completed} streams, max gap ${f(r.maxGapMs)} ms, ${r.stalls} gaps > 50 ms`,
          )
          .join('; '),
        met(stalls === 0 && rs.every((r) => r.failed === 0)),
      ]);
    }
  }
  if (results.memory?.length) {
    for (const db of ['aibridge-pg', 'aibridge-pglite']) {
      const rs = results.memory.filter((r) => r.label === db && r.conns === 64);
      if (!rs.length) continue;
      const peak = Math.max(...rs.map((r) => r.rssMb));
      const pg = Math.max(...rs.map((r) => r.pgPssMb));
      // The table's instances live through every scenario, agent-sized bodies included, so their
      // 64-connection rows of later rounds carry what V8 kept from earlier 1 MiB requests; the
      // heap-tuning runs start a fresh instance for the 64-connection load alone, and judge it.
      const fresh = (results.memflags?.rows ?? []).filter((r) => r.variant === 'default');
      const freshPeak = fresh.length ? Math.max(...fresh.map((r) => r.rssMb)) : undefined;
      const judged = db === 'aibridge-pg' && freshPeak !== undefined ? freshPeak : peak;
      targets.push([
        `peak RSS ≤ 150 MB under 64 conns (${db}, aibridge process)`,
        `${db === 'aibridge-pg' && freshPeak !== undefined ? `fresh instance, 64 conns only: ${f(freshPeak)} MB (${fresh.map((r) => `${r.scenario} ${f(r.rssMb)}`).join(', ')}); ` : ''}table instance (after earlier rounds' 1 MiB bodies): ${f(peak)} MB${pg ? ` (PostgreSQL cluster PSS ${f(pg)} MB, separate)` : ''}`,
        met(judged <= 150),
      ]);
    }
  }
  if (results.soak) {
    for (const [db, s] of Object.entries(results.soak)) {
      const st = soakStats(s.samples);
      targets.push([
        `no RSS growth over a ${Math.round(s.seconds / 60)}-minute soak (${db}, ${s.conns} conns, ${s.requests} requests)`,
        `RSS floor (lowest sample) per third after the first minute ${st.floors.map((x) => f(x)).join(' → ')} MB; median of the first minute ${f(st.start)} MB, of the last ${f(st.end)} MB; max ${f(st.max)} MB (GC sawtooth); least-squares slope of the 2nd half ${sign(st.slope, 2)} MB/min`,
        met(st.floors[2] <= st.floors[0] + 10),
      ]);
    }
  }
  if (t) {
    const checks = Object.entries(t.checks ?? {});
    const all = checks.flatMap(([, c]) => c);
    const bad = all.filter((c) => !c.ok);
    const served = Object.fromEntries(checks.map(([l, c]) => [l, c.reduce((n, x) => n + x.served, 0)]));
    const extra = [
      ...(results.probe ? Object.values(results.probe.checks).flat() : []),
      ...(results.streams?.rows ?? []),
    ];
    const extraBad = extra.filter((c) => c.ok === false || c.recordedOk === false);
    const soakBad = Object.values(results.soak ?? {}).filter((s) => !s.recordedOk);
    targets.push([
      'zero requests lost or mis-recorded (recorded interceptions and token sums = what the fake served)',
      `${all.length} table checks (${Object.entries(served)
        .map(([l, n]) => `${l}: ${n} requests`)
        .join(
          ', ',
        )}), ${bad.length} mismatches; probe/streams checks: ${extraBad.length} mismatches; soak: ${soakBad.length} mismatches`,
      met(bad.length === 0 && extraBad.length === 0 && soakBad.length === 0),
    ]);
  }
  for (const row of targets) out.push(`| ${row.join(' | ')} |`);
  if (results.floor) {
    out.push(
      '',
      'Floor of the durable start row on this cluster (pgbench, 1 client, one single-row INSERT per transaction, average latency): ' +
        `bare table ${f(results.floor.syncInsertMs, 3)} ms with synchronous commit (${f(results.floor.asyncInsertMs, 3)} ms asynchronous); ` +
        `aibridge_interceptions with its indexes ${f(results.floor.syncInterceptionInsertMs, 3)} ms (${f(results.floor.asyncInterceptionInsertMs, 3)} ms asynchronous). ` +
        'A request at 1 connection waits for one such commit before it goes upstream (the audit guarantee), so this is the least aibridge-pg can add to p50 there.',
    );
  }
  out.push(
    '',
    '### What limits the targets not met',
    '',
    '- **p50 at 1 connection**: every recorded request waits for its start row to be committed synchronously (fsync) before it goes upstream — the audit guarantee. The pgbench floor above is that commit back to back; between requests at one connection the server idles, and an isolated commit costs more on this VM: pgbench on the same server, one single-row INSERT per transaction, 0.25 ms back to back, 0.43 ms after 5 ms idle, 0.81 ms after 50 ms idle. Add the extra HTTP hop (nginx adds ~0.1–0.2 ms) and the gateway and PostgreSQL sharing one core, and 0.3 ms is out of reach without weakening the guarantee.',
    "- **throughput vs Portkey and CPU vs nginx**: aibridge-pg spends ~380–600 µs of CPU per request at 16–64 connections on this machine, gateway and database together; nginx spends ~30 µs and records nothing, Portkey ~1 ms and records nothing. Each request is a durable insert into a table with 10 indexes, an `ended_at` update that touches them again (not HOT: `ended_at` is in the list indexes' predicates), 7 recorded rows and the read models' triggers — PostgreSQL's share alone is several times nginx's whole cost — so with the gateway and its database on one core aibridge-pg tops out at ~2–3k requests/s here: ~3–4× Portkey, not 10×. Fixed this round: trigger plans that degraded as the tables grew (see recorder.md), five unused indexes.",
    "- **TTFB**: traced request by request (timestamps in the client, the gateway and the fake): the gateway dispatches upstream 1.1–1.9 ms after the request arrives — reading the body (~0.2 ms) and the durable start-row commit after the probe's idle gap (see p50 above: ~0.8 ms for a bare insert after 50 ms idle); it relays the first chunk ~0.25 ms after receiving it; each hop into and out of node adds ~0.5 ms after idle where nginx adds ~0.1 ms in all. The commit is the guarantee; the hops are node's HTTP stack waking up.",
    '- **agent-sized bodies**: the body is read once into one buffer and forwarded as is (no re-encoding), but the prompt is recorded: a 64 KiB or 1 MiB user message is decoded, sent to PostgreSQL as JSON and stored (TOAST), which dominates the CPU per request at those sizes.',
    '- **256 streams**: the client and the fake upstream share CPU 0, and the direct baseline itself shows gaps over 50 ms; compare aibridge rows with the direct row, not with zero.',
    '- **RSS**: V8 lets the old generation grow between full collections under load (the live set after a run is ~60 MB of heap); a fresh instance at 64 connections peaks at ~145–200 MB, and `--heap-growing-percent=20` keeps it near 127–130 MB at ~5–20% more CPU per request (see the heap tuning table), so it is not the default. After 1 MiB request bodies the process keeps more (table instance). PGlite runs PostgreSQL in WASM on a worker thread of the process, ~250–300 MB resident on its own with its 32 MB buffer cache (bench/results/gateway-embedded.md).',
  );
  if (t) {
    for (const pad of Object.keys(t.tsv).sort((x, y) => x - y)) {
      out.push(
        '',
        `## ${Number(pad) ? `Request bodies padded by ${pad} KiB` : 'Scenarios'} (medians of ${t.rounds} rounds)`,
        '',
      );
      out.push(
        execFileSync(process.execPath, [join(HARNESS, 'compare.mjs'), tsvPath(pad)], {
          encoding: 'utf8',
        }).trim(),
      );
    }
  }
  if (results.memory?.length) {
    out.push(
      '',
      '## Memory under load (peak per run, median over rounds)',
      '',
      '| target | scenario | pad KiB | conns | aibridge RSS MB | PostgreSQL PSS MB |',
      '|---|---|---:|---:|---:|---:|',
    );
    const g = groupBy(results.memory, (r) => `${r.label}|${r.scenario}|${r.padKb}|${r.conns}`);
    for (const [k, rs] of g) {
      const [l, sc, pad, c] = k.split('|');
      out.push(
        `| ${l} | ${sc} | ${pad} | ${c} | ${f(median(rs.map((r) => r.rssMb)))} | ${rs[0].pgPssMb ? f(median(rs.map((r) => r.pgPssMb))) : '-'} |`,
      );
    }
    if (t?.hwm)
      out.push(
        '',
        `Peak RSS over the whole table run (VmHWM): ${Object.entries(t.hwm)
          .map(([l, v]) => `${l} ${f(v)} MB`)
          .join(', ')}.`,
      );
  }
  if (results.memflags) {
    const a = aggregate(join(RESULTS_DIR, results.memflags.tsv));
    out.push(
      '',
      '## V8 heap tuning against peak RSS (64 conns, fresh aibridge-pg per variant, medians)',
      '',
      `Variants: ${Object.entries(results.memflags.flags)
        .map(([k, v]) => `${k} = \`${['--max-semi-space-size=8', ...v].join(' ')}\``)
        .join('; ')}.`,
      '',
      '| variant | scenario | RPS | p99 ms | gw+PG CPU µs/req | aibridge RSS peak MB | recorded = served |',
      '|---|---|---:|---:|---:|---:|---|',
    );
    const g = groupBy(results.memflags.rows, (r) => `${r.variant}|${r.scenario}`);
    for (const [k, rs] of g) {
      const [v, sc] = k.split('|');
      const m = a.get(`aibridge-flags-${v}|${sc}|64`) ?? {};
      out.push(
        `| ${v} | ${sc} | ${f(m.rps, 0)} | ${f(m.p99_ms, 2)} | ${f(m.gw_cpu_us_req, 0)} | ${f(median(rs.map((r) => r.rssMb)))} | ${rs.every((r) => r.recordedOk) ? 'yes' : 'NO'} |`,
      );
    }
  }
  if (results.probe) {
    out.push(
      '',
      '## Streaming probe (time to first byte, sequential; upstream FAKE_DELAY_MS=50, FAKE_CHUNK_DELAY_MS=5)',
      '',
      '| target | scenario | TTFB p50 ms | total p50 ms | reads p50 |',
      '|---|---|---:|---:|---:|',
    );
    const g = groupBy(results.probe.rows, (r) => `${r.label}|${r.scenario}`);
    for (const [k, rs] of g) {
      const [l, sc] = k.split('|');
      out.push(
        `| ${l} | ${sc} | ${f(median(rs.map((r) => r.ttfbMs)), 2)} | ${f(median(rs.map((r) => r.totalMs)), 2)} | ${median(rs.map((r) => r.reads))} |`,
      );
    }
  }
  if (results.streams) {
    out.push(
      '',
      `## ${results.streams.rows[0]?.streams} concurrent streams, upstream chunk gap ${results.streams.chunkDelayMs} ms (gaps timed at the client)`,
      '',
    );
    out.push(
      '| target | scenario | streams completed | failed | reads | max gap ms | gaps > 50 ms | max TTFB ms | recorded = served |',
      '|---|---|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const r of results.streams.rows) {
      out.push(
        `| ${r.label} | ${r.scenario} | ${r.completed} | ${r.failed} | ${r.reads} | ${f(r.maxGapMs)} | ${r.stalls} | ${f(r.maxTtfbMs)} | ${r.recordedOk === undefined ? '-' : r.recordedOk ? 'yes' : `NO: ${r.diff.join('; ')}`} |`,
      );
    }
  }
  if (results.soak) {
    out.push('', '## Soak (RSS sampled every 5 s)', '');
    for (const [db, s] of Object.entries(results.soak)) {
      const st = soakStats(s.samples);
      const pg = s.samples.filter((x) => x.pgPssMb);
      out.push(
        `${db}: ${s.seconds} s, chat-stream + messages-stream, ${s.conns} conns, ${s.requests} requests; RSS start ${f(st.start)} MB (median of the first minute), end ${f(st.end)} MB (last minute), max ${f(st.max)} MB, least-squares slope over the second half ${sign(st.slope, 3)} MB/min` +
          (pg.length ? `; PostgreSQL PSS ${f(pg[0].pgPssMb)} → ${f(pg.at(-1).pgPssMb)} MB` : '') +
          `; recorded = served: ${s.recordedOk ? 'yes' : `NO (${s.diff.join('; ')})`}.`,
      );
    }
  }
  if (t) {
    out.push('', '## Recording checks', '');
    out.push(
      "After every aibridge run (once aibridge reports nothing in flight and an empty recorder queue) its usage API (ended interceptions, token sums per provider) is compared with the fake upstream's `/_stats` request counts × the fixed usage it reports per response, cumulatively over the instance's life. " +
        "wrk cuts the requests in flight when it stops (warmup and measurement); aibridge records those as failed interceptions (some never reached the fake, some lost their usage with the response). So the check is: recorded interceptions = aibridge's completed + failed; completed ≤ served ≤ completed + failed; tokens between completed × usage and (completed + failed) × usage — and exactly served × usage when nothing was cut (the 256-stream runs, whose client lets every request finish).",
    );
    for (const [l, c] of Object.entries(t.checks ?? {})) {
      const bad = c.filter((x) => !x.ok);
      out.push(
        `- ${l}: ${c.length} checks, ${c.reduce((n, x) => n + x.served, 0)} requests served, ${c.reduce((n, x) => n + (x.failed ?? 0), 0)} cut by wrk at stop (recorded as failed), max drain wait ${Math.max(0, ...c.map((x) => x.drainMs))} ms, ${bad.length ? `MISMATCHES: ${bad.map((x) => `${x.label}: ${x.diff.join('; ')}`).join(' | ')}` : 'all equal'}.`,
      );
    }
    for (const [l, s] of Object.entries(t.stats ?? {})) {
      out.push(
        `- ${l} recorder metrics at the end: ${Object.entries(s)
          .filter(([k]) => !k.startsWith('_'))
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
    }
  }
  out.push('');
  writeFileSync(join(RESULTS_DIR, 'gateway.md'), out.join('\n'));
  if (print) console.log(out.join('\n'));
}

/** Rows grouped by a key, in first-seen order. */
function groupBy(rows, key) {
  const g = new Map();
  for (const r of rows) {
    const k = key(r);
    if (!g.has(k)) g.set(k, []);
    g.get(k).push(r);
  }
  return g;
}

/** Start (first minute), end (last minute), max and the slope (MB/min) of the second half of a soak. */
function soakStats(samples) {
  const first = samples.filter((s) => s.t <= 60).map((s) => s.rssMb);
  const lastT = samples.at(-1)?.t ?? 0;
  const last = samples.filter((s) => s.t >= lastT - 60).map((s) => s.rssMb);
  const half = samples.filter((s) => s.t >= lastT / 2);
  const n = half.length;
  const mx = half.reduce((a, s) => a + s.t, 0) / n;
  const my = half.reduce((a, s) => a + s.rssMb, 0) / n;
  const num = half.reduce((a, s) => a + (s.t - mx) * (s.rssMb - my), 0);
  const den = half.reduce((a, s) => a + (s.t - mx) ** 2, 0);
  // RSS saws up and down with V8's full collections: the floor (lowest sample) of each third shows growth
  const warm = Math.min(60, lastT / 5); // the first minute is warm-up
  const span = (lastT - warm) / 3;
  const third = (k) =>
    Math.min(
      ...samples.filter((s) => s.t >= warm + span * k && s.t <= warm + span * (k + 1)).map((s) => s.rssMb),
    );
  return {
    start: median(first),
    end: median(last),
    max: Math.max(...samples.map((s) => s.rssMb)),
    slope: den ? (num / den) * 60 : Number.NaN,
    floors: [third(0), third(1), third(2)],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(RESULTS_DIR, 'gateway.json');
  if (!existsSync(file)) throw new Error(`no ${file}: run npm run bench:gateway first`);
  render(JSON.parse(readFileSync(file, 'utf8')), true);
}
