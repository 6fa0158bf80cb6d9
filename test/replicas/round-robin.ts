import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The load balancer in front of the replicas: each request goes to the next replica in turn,
 * bytes relayed both ways untouched (streams included), as a layer-7 balancer without
 * stickiness would do. It counts which replica took each request.
 */
export class RoundRobin {
  private next = 0;
  readonly served: number[];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    targets: readonly string[],
  ) {
    this.served = targets.map(() => 0);
  }

  static async start(targets: readonly string[]): Promise<RoundRobin> {
    let balancer: RoundRobin | undefined;
    const server = createServer((req, res) => {
      const index = balancer ? balancer.next++ % targets.length : 0;
      if (balancer) balancer.served[index] = (balancer.served[index] ?? 0) + 1;
      const target = new URL(req.url ?? '/', targets[index]);
      const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    balancer = new RoundRobin(server, `http://127.0.0.1:${port}`, targets);
    return balancer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
