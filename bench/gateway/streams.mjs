#!/usr/bin/env node
// Many concurrent streams, timed at the client: does the gateway relay every SSE chunk as it
// comes, or do some streams stall? Run against an upstream started with FAKE_CHUNK_DELAY_MS=20.
//   node streams.mjs URL BODY_FILE [STREAMS=256] [SECONDS=10]     (headers: WRK_HEADERS, one per line)
// Each of STREAMS slots sends a streaming request, times every read, and starts the next request
// when one ends, for SECONDS. Prints one JSON line: streams completed, reads, the largest gap
// between two reads of one stream, how many gaps exceeded STALL_MS (50), and time to first byte.
import fs from 'node:fs';
import http from 'node:http';

const [url, bodyFile, nArg, secArg] = process.argv.slice(2);
if (!url || !bodyFile) {
  console.error('usage: streams.mjs URL BODY_FILE [STREAMS] [SECONDS]');
  process.exit(2);
}
const STREAMS = Number(nArg || 256);
const SECONDS = Number(secArg || 10);
const STALL_MS = Number(process.env.STALL_MS || 50);
const body = fs.readFileSync(bodyFile);
const headers = { 'content-type': 'application/json', 'content-length': body.length };
for (const line of (process.env.WRK_HEADERS || '').split('\n')) {
  const m = line.match(/^\s*([^:]+):\s*(.*?)\s*$/);
  if (m) headers[m[1]] = m[2];
}
const agent = new http.Agent({ keepAlive: true, maxSockets: STREAMS });
const stats = {
  completed: 0,
  failed: 0,
  reads: 0,
  gaps: 0,
  stalls: 0,
  maxGapMs: 0,
  maxTtfbMs: 0,
  gapHist: {},
};
const deadline = performance.now() + SECONDS * 1000;

function once() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let last;
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.on('data', () => {
        const now = performance.now();
        stats.reads++;
        if (last === undefined) stats.maxTtfbMs = Math.max(stats.maxTtfbMs, now - t0);
        else {
          const gap = now - last;
          stats.gaps++;
          if (gap > stats.maxGapMs) stats.maxGapMs = gap;
          if (gap > STALL_MS) stats.stalls++;
          const bucket = gap < 10 ? '<10' : gap < 30 ? '10-30' : gap < 50 ? '30-50' : '>50';
          stats.gapHist[bucket] = (stats.gapHist[bucket] ?? 0) + 1;
        }
        last = now;
      });
      res.on('end', () => {
        if (res.statusCode === 200) stats.completed++;
        else stats.failed++;
        resolve();
      });
      res.on('error', () => {
        stats.failed++;
        resolve();
      });
    });
    req.on('error', () => {
      stats.failed++;
      resolve();
    });
    req.end(body);
  });
}

async function slot() {
  while (performance.now() < deadline) await once();
}
await Promise.all(Array.from({ length: STREAMS }, slot));
agent.destroy();
console.log(JSON.stringify({ streams: STREAMS, seconds: SECONDS, stallMs: STALL_MS, ...stats }));
