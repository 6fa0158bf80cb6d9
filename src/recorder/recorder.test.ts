import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log.js';
import { DatabaseRecorder } from './recorder.js';
import type { InterceptionStart } from './types.js';

const log = createLogger('silent');

async function user(db: Database, username: string): Promise<string> {
  const row = await db.kysely
    .insertInto('users')
    .values({ username, role: 'member' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function start(initiatorId: string, toolCallId?: string): InterceptionStart {
  return {
    id: randomUUID(),
    initiatorId,
    apiKeyId: 'abcdefghij',
    provider: 'anthropic',
    model: 'claude',
    client: 'Claude Code',
    clientSessionId: undefined,
    correlatingToolCallId: toolCallId,
    metadata: { Username: 'u' },
    startedAt: new Date(),
  };
}

describeEachDatabase('DatabaseRecorder', (db) => {
  it('group-commits concurrent starts: fewer statements than requests, every row durable', async () => {
    const recorder = new DatabaseRecorder(db(), log);
    const alice = await user(db(), 'gc-alice');
    const starts = Array.from({ length: 60 }, () => start(alice));
    const results = await Promise.all(starts.map((s) => recorder.start(s)));
    expect(results.every((r) => r.threadParentId === null && r.threadRootId === null)).toBe(true);
    expect(recorder.stats.startRows).toBe(60);
    expect(recorder.stats.startStatements).toBeLessThan(60);
    const count = await db()
      .kysely.selectFrom('aibridge_interceptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('initiator_id', '=', alice)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(60);
    await recorder.close();
  });

  it('links a tool result to the interception that made the call, for the same initiator only', async () => {
    const alice = await user(db(), 'lin-alice');
    const bob = await user(db(), 'lin-bob');
    const first = new DatabaseRecorder(db(), log);
    const parent = start(alice);
    await first.start(parent);
    const seq = first.record({
      kind: 'tool_usage',
      interceptionId: parent.id,
      initiatorId: alice,
      threadRootId: parent.id,
      providerResponseId: 'msg_1',
      toolCallId: 'toolu_shared',
      tool: 'Read',
      input: '{}',
      createdAt: new Date(),
    });
    // Same replica, before the batch is written: found from memory.
    expect(await first.start(start(alice, 'toolu_shared'))).toEqual({
      threadParentId: parent.id,
      threadRootId: parent.id,
    });
    await first.durable(seq);
    // Another replica (no memory of it): found in the database, scoped to the initiator.
    const other = new DatabaseRecorder(db(), log);
    expect(await other.start(start(alice, 'toolu_shared'))).toEqual({
      threadParentId: parent.id,
      threadRootId: parent.id,
    });
    expect(await other.start(start(bob, 'toolu_shared'))).toEqual({
      threadParentId: null,
      threadRootId: null,
    });
    expect(await other.start(start(alice, 'toolu_unknown'))).toEqual({
      threadParentId: null,
      threadRootId: null,
    });
    await Promise.all([first.close(), other.close()]);
  });

  it('stores prompts and thoughts that contain NUL, and loses only a record the database rejects', async () => {
    const alice = await user(db(), 'nul-alice');
    const recorder = new DatabaseRecorder(db(), log);
    const s = start(alice);
    await recorder.start(s);
    recorder.record({
      kind: 'prompt',
      interceptionId: s.id,
      providerResponseId: 'r',
      prompt: () => 'a\u0000b',
      promptBytes: 3,
      createdAt: new Date(),
    });
    recorder.record({
      kind: 'thought',
      interceptionId: 'not-a-uuid',
      content: 'x',
      metadata: {},
      createdAt: new Date(),
    });
    recorder.record({
      kind: 'thought',
      interceptionId: s.id,
      content: 'think\u0000',
      metadata: { source: 'thinking' },
      createdAt: new Date(),
    });
    await recorder.durable(recorder.record({ kind: 'end', interceptionId: s.id, endedAt: new Date() }));
    const prompt = await db()
      .kysely.selectFrom('aibridge_user_prompts')
      .select('prompt')
      .where('interception_id', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(prompt.prompt).toBe('a\uFFFDb');
    const thoughts = await db()
      .kysely.selectFrom('aibridge_model_thoughts')
      .select(['content', 'metadata'])
      .where('interception_id', '=', s.id)
      .execute();
    expect(thoughts).toEqual([{ content: 'think\uFFFD', metadata: { source: 'thinking' } }]);
    const ended = await db()
      .kysely.selectFrom('aibridge_interceptions')
      .select('ended_at')
      .where('id', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(ended.ended_at).not.toBeNull();
    await recorder.close();
  });
});
