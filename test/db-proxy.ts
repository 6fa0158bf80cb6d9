import { connect, createServer, type Server, type Socket } from 'node:net';
import { POSTGRES_URL } from './databases.js';

/** A TCP proxy in front of the test PostgreSQL whose link can be cut and restored. */
export interface DatabaseProxy {
  /** The test server's URL with this proxy's port. */
  url: string;
  /** Drops every connection and refuses new ones (as a stopped server would). */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy; `down: true` starts it cut (a database not up yet). */
export async function databaseProxy(options: { down?: boolean } = {}): Promise<DatabaseProxy> {
  const sockets = new Set<Socket>();
  const target = new URL(POSTGRES_URL);
  let down = options.down ?? false;
  const proxy: Server = createServer((client) => {
    client.on('error', () => {});
    if (down) {
      client.destroy();
      return;
    }
    const backend = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, backend]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(POSTGRES_URL);
  url.port = String((proxy.address() as { port: number }).port);
  url.hostname = '127.0.0.1';
  const cut = () => {
    down = true;
    for (const s of sockets) s.destroy();
  };
  return {
    url: url.toString(),
    cut,
    restore: () => {
      down = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
