import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { type Reply, type Request, toWireError, type WireResult, type WorkerOptions } from './protocol.js';

// The embedded database's own thread: PGlite (PostgreSQL compiled to WASM) runs every query
// synchronously, so on the gateway's thread each one stalled every request in flight. Here it
// answers the gateway's messages one at a time; the gateway's driver keeps transactions whole.

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** Token counts and COUNT/SUM results fit in a double; both drivers return JS numbers for them. */
const toNumber = (value: string): number => Number(value);

/**
 * PostgreSQL's buffer cache inside the WASM heap (PGlite's default is 128 MB, resident once
 * touched). Its files sit in the operating system's page cache anyway, so a smaller cache costs
 * a copy on a miss, not a disk read: at chat@16, 16, 32 and 128 MB gave the same throughput
 * within the run-to-run noise and 32 MB keeps ~80 MB less resident (bench/results/gateway-embedded.md).
 */
const SHARED_BUFFERS = '32MB';

const port = parentPort;
if (!port) throw new Error('the embedded database worker must run in a worker thread');
const options = workerData as WorkerOptions;

const post = (reply: Reply) => port.postMessage(reply);

const { PGlite: PGliteClass, parse, protocol } = await import('@electric-sql/pglite');
let pglite: PGlite;
try {
  pglite = await PGliteClass.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber },
    startParams: [...PGliteClass.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
  });
} catch (error) {
  post({ op: 'failed', error: toWireError(error) });
  process.exit(1);
}

/** Parameter types of the statements prepared so far, by name (parsed and planned once). */
const prepared = new Map<string, number[]>();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function result(rows: unknown[], affectedRows: number | undefined): WireResult {
  return { rows, affectedRows };
}

/**
 * A hot statement as a named prepared statement: parsed once, then each call is one Bind,
 * Describe, Execute and Sync in a single trip into PostgreSQL, where `query` makes six and
 * parses the text every time.
 */
async function runPrepared(name: string, text: string, params: unknown[]): Promise<WireResult> {
  let types = prepared.get(name);
  if (!types) {
    const described = await pglite.execProtocol(
      concat([
        protocol.serialize.parse({ name, text }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
    );
    types = parse.parseDescribeStatementResults(described.messages);
    prepared.set(name, types);
  }
  const values = params.map((param, i) => {
    if (param === null || param === undefined) return null;
    const serialize = pglite.serializers[types[i] ?? 0];
    return serialize ? serialize(param) : String(param);
  });
  const { messages } = await pglite.execProtocol(
    concat([
      protocol.serialize.bind({ statement: name, values }),
      protocol.serialize.describe({ type: 'P' }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    ]),
  );
  const [first] = parse.parseResults(messages, pglite.parsers);
  return result(first?.rows ?? [], first?.affectedRows);
}

async function handle(request: Request): Promise<WireResult | undefined> {
  switch (request.op) {
    case 'query': {
      const { rows, affectedRows } = await pglite.query(request.sql, request.params);
      return result(rows, affectedRows);
    }
    case 'prepared':
      return pglite.runExclusive(() => runPrepared(request.name, request.text, request.params));
    case 'listen':
      await pglite.listen(request.channel, (payload) =>
        post({ op: 'notify', channel: request.channel, payload }),
      );
      return undefined;
    case 'close':
      // A clean shutdown: PostgreSQL checkpoints and the files are complete on disk.
      if (!pglite.closed) await pglite.close();
      return undefined;
  }
}

port.on('message', (request: Request) => {
  handle(request).then(
    (answer) => {
      post({ id: request.id, ok: true, result: answer });
      if (request.op === 'close') port.close();
    },
    (error: unknown) => {
      post({ id: request.id, ok: false, error: toWireError(error) });
      // A WASM trap (out of memory, an abort) leaves PGlite unusable: end the thread so the
      // gateway starts a new one on the same data directory instead of failing every query.
      if (error instanceof Error && error.name === 'RuntimeError') process.exit(1);
    },
  );
});

post({ op: 'ready' });
