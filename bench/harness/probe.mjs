#!/usr/bin/env node
import fs from 'node:fs';
// Sequential streaming probe: does the target pass SSE through as it arrives, or buffer it?
//   node probe.mjs URL BODY_FILE [N=10]      (extra headers: WRK_HEADERS, one "Name: value" per line)
// Prints: PROBE n= status= ttfb_p50_ms= total_p50_ms= reads_p50= events_p50=
// Run it while the fake upstream has FAKE_CHUNK_DELAY_MS>0: a streaming gateway shows ttfb << total
// and many reads; a buffering one shows ttfb ~= total and 1-2 reads.
import http from 'node:http';

const [url, bodyFile, nArg] = process.argv.slice(2);
if (!url || !bodyFile) {
  console.error('usage: probe.mjs URL BODY_FILE [N]');
  process.exit(2);
}
const body = fs.readFileSync(bodyFile);
const headers = { 'content-type': 'application/json', 'content-length': body.length };
for (const line of (process.env.WRK_HEADERS || '').split('\n')) {
  const m = line.match(/^\s*([^:]+):\s*(.*?)\s*$/);
  if (m) headers[m[1]] = m[2];
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let ttfb = 0,
      reads = 0,
      text = '';
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        if (!reads++) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
        text += d;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          ttfb,
          total: Number(process.hrtime.bigint() - t0) / 1e6,
          reads,
          events: (text.match(/^data:/gm) || []).length,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const runs = [];
for (let i = 0; i < Number(nArg || 10); i++) runs.push(await once());
const p50 = (k) => {
  const v = runs.map((r) => r[k]).sort((a, b) => a - b);
  return v[Math.floor((v.length - 1) / 2)];
};
const statuses = [...new Set(runs.map((r) => r.status))].join(',');
console.log(
  `PROBE n=${runs.length} status=${statuses} ttfb_p50_ms=${p50('ttfb').toFixed(2)} total_p50_ms=${p50('total').toFixed(2)} reads_p50=${p50('reads')} events_p50=${p50('events')}`,
);
agent.destroy();
