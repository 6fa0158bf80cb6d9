import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { type BudgetEvent, SIGNATURE_HEADER, Webhook } from './webhook.js';

const EVENT: BudgetEvent = {
  type: 'budget.threshold',
  id: 'b1:2026-12-01T00:00:00.000Z:80',
  budget: { id: 'b1', subject: 'user:alice', limit_usd: '5.00', period: 'month' },
  percent: 80,
  spent_usd: '4.10',
  period_start: '2026-12-01T00:00:00.000Z',
  resets_at: '2027-01-01T00:00:00.000Z',
};

it('signs the body, sends an idempotency key and retries until the receiver accepts', async () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(received.length < 3 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const hook = new Webhook({ url, secret: 's3cret', log: createLogger('silent'), firstDelayMs: 1 });
    expect(await hook.deliver(EVENT)).toBe(true);
    expect(received).toHaveLength(3);
    for (const r of received) {
      expect(JSON.parse(r.body)).toEqual(EVENT);
      expect(r.headers['idempotency-key']).toBe(EVENT.id);
      const expected = createHmac('sha256', 's3cret').update(r.body).digest('hex');
      expect(r.headers[SIGNATURE_HEADER]).toBe(`sha256=${expected}`);
    }
    const failing = new Webhook({
      url: 'http://127.0.0.1:1/',
      secret: undefined,
      log: createLogger('silent'),
      attempts: 2,
      firstDelayMs: 1,
    });
    expect(await failing.deliver(EVENT)).toBe(false);
  } finally {
    server.close();
  }
});
