import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer } from '../server.js';
import { answerAll, ask, COST_MICROS, setBudget, settled, spentMicros } from './helpers.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

describeEachServer(
  'budget admission',
  (server) => {
    beforeEach(() => {
      upstream.reset();
      answerAll(upstream);
    });

    it('admits while a user budget has room, then refuses in the provider shape and records the refusal', async () => {
      const alice = await server().createUser('b-alice');
      // Room for three requests' estimates (each ~$0.0301), not four.
      const budget = await setBudget(server(), { subject: 'user:b-alice', limit_usd: '0.10', period: 'day' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await callGateway(server(), '/anthropic/v1/messages', {
          token: alice.token,
          json: {
            model: 'claude-sonnet-4-5',
            max_tokens: 2000,
            stream: true,
            messages: [{ role: 'user', content: 'hi' }],
          },
        });
        expect(res.status).toBe(200);
        expect(Number(res.headers.get('x-aibridge-budget-remaining'))).toBeLessThan(0.1);
        await res.text();
        ids.push(interceptionId(res));
        // A cost being committed at the instant another request leases counts twice for that
        // instant (safe, but it can refuse early): wait for each settlement to keep this exact.
        await settled(server(), [interceptionId(res)]);
      }
      expect(await spentMicros(server(), budget)).toBe(3 * COST_MICROS);

      const before = upstream.received.length;
      const refused = await ask(server(), alice.token);
      expect(refused.status).toBe(402);
      const body = JSON.parse(refused.text) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe('error');
      expect(body.error.type).toBe('billing_error');
      expect(body.error.message).toMatch(
        /budget user:b-alice is exhausted: \$0\.09\d* spent of \$0\.10 this day/,
      );
      expect(body.error.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
      expect(refused.headers.get('x-aibridge-budget-remaining')).toBe('0');
      expect(upstream.received.length).toBe(before);
      const recorded = await waitForRecording(
        server().running.db,
        refused.headers.get('x-aibridge-interception-id') as string,
      );
      expect(recorded.interception.metadata).toMatchObject({
        aibridge_refused: 'budget',
        budget: 'user:b-alice',
      });

      // OpenAI clients get OpenAI's own answer for a used-up quota.
      const chat = await callGateway(server(), '/openai/v1/chat/completions', {
        token: alice.token,
        json: { model: 'gpt-4o', max_tokens: 100000, messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(chat.status).toBe(429);
      expect(((await chat.json()) as { error: { type: string; code: string } }).error).toMatchObject({
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      });

      const mine = await server().request('/api/v2/aibridge/budgets/me', { token: alice.token });
      const listed = (await mine.json()) as { budgets: Array<{ subject: string; spent_usd: string }> };
      expect(listed.budgets).toEqual([
        expect.objectContaining({ subject: 'user:b-alice', spent_usd: '0.09009' }),
      ]);
    });

    it('pools a group budget across its members; the default applies only to users without their own', async () => {
      const carol = await server().createUser('b-carol');
      const dave = await server().createUser('b-dave');
      const erin = await server().createUser('b-erin');
      await server().request('/api/v2/groups', { method: 'POST', json: { name: 'b-team' } });
      await server().request('/api/v2/groups/b-team/members/b-carol', { method: 'PUT' });
      await server().request('/api/v2/groups/b-team/members/b-dave', { method: 'PUT' });
      await setBudget(server(), { subject: 'group:b-team', limit_usd: '0.07', period: 'week' });
      await setBudget(server(), { subject: 'default', limit_usd: '0.01', period: 'month' });
      await setBudget(server(), { subject: 'user:b-erin', limit_usd: '1', period: 'month' });

      // Carol and Dave share $0.07: one request each fits the pool, the team's third does not
      // (the default's $0.01 would refuse each alone — it applies to them too, having no own budget).
      const first = await ask(server(), carol.token);
      expect(first.status).toBe(402);
      expect(first.text).toMatch(/budget default is exhausted/);
      // Erin has her own budget, so the default does not apply to her.
      const erins = await ask(server(), erin.token);
      expect(erins.status).toBe(200);
      await setBudget(server(), { subject: 'default', limit_usd: '1', period: 'month' });
      const a = await ask(server(), carol.token);
      const b = await ask(server(), dave.token);
      expect([a.status, b.status]).toEqual([200, 200]);
      await settled(
        server(),
        [a.headers, b.headers].map((h) => h.get('x-aibridge-interception-id') as string),
      );
      const third = await ask(server(), dave.token);
      expect(third.status).toBe(402);
      expect(third.text).toMatch(/budget group:b-team is exhausted/);
    });

    it('releases a reservation when the upstream fails', async () => {
      const frank = await server().createUser('b-frank');
      const budget = await setBudget(server(), { subject: 'user:b-frank', limit_usd: '0.04', period: 'day' });
      upstream.reset();
      upstream.next(reply(500, '{"type":"error","error":{"type":"api_error","message":"boom"}}'));
      const failed = await ask(server(), frank.token);
      expect(failed.status).toBe(500);
      await settled(server(), [failed.headers.get('x-aibridge-interception-id') as string]);
      answerAll(upstream);
      // Only one estimate fits $0.04: it fits again because the failed one was released.
      const ok = await ask(server(), frank.token);
      expect(ok.status).toBe(200);
      await settled(server(), [ok.headers.get('x-aibridge-interception-id') as string]);
      expect(await spentMicros(server(), budget)).toBe(COST_MICROS);
    });
  },
  gatewayOverrides(upstream),
);
