import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { insertMember } from '../../test/seed.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log.js';
import { DatabaseRecorder } from './recorder.js';
import { type InterceptionStart, RecorderOverloadedError } from './types.js';

const log = createLogger('silent');

function user(db: Database, username: string): Promise<string> {
  return insertMember(db.kysely, username);
}

/** Queues what a finished exchange records: a prompt, two token usages, a tool call, the end. */
function recordExchange(recorder: DatabaseRecorder, s: InterceptionStart): void {
  const base = { interceptionId: s.id, providerResponseId: 'msg', createdAt: new Date() };
  recorder.record({ ...base, kind: 'prompt', prompt: 'hello', promptBytes: 5 });
  for (const input of [10, 20]) {
    recorder.record({
      ...base,
      kind: 'token_usage',
      pricedAs: { provider: 'anthropic', model: 'claude-sonnet-4-5', startedAt: new Date() },
      input,
      output: 1,
      cacheRead: 0,
      cacheWrite: 0,
      metadata: {},
    });
  }
  recorder.record({
    ...base,
    kind: 'tool_usage',
    initiatorId: s.initiatorId,
    threadRootId: s.id,
    toolCallId: `call_${s.id}`,
    tool: 'Read',
    input: '{}',
  });
  recorder.record({ kind: 'end', interceptionId: s.id, endedAt: new Date() });
}

async function countRows(
  db: Database,
  table: 'aibridge_interceptions' | 'aibridge_token_usages',
  ids: string[],
) {
  const column = table === 'aibridge_interceptions' ? 'id' : 'interception_id';
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
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
      clientSessionId: null,
    });
    await first.durable(seq);
    // Another replica (no memory of it): found in the database, scoped to the initiator.
    const other = new DatabaseRecorder(db(), log);
    expect(await other.start(start(alice, 'toolu_shared'))).toEqual({
      threadParentId: parent.id,
      threadRootId: parent.id,
      clientSessionId: null,
    });
    expect(await other.start(start(bob, 'toolu_shared'))).toEqual({
      threadParentId: null,
      threadRootId: null,
      clientSessionId: null,
    });
    expect(await other.start(start(alice, 'toolu_unknown'))).toEqual({
      threadParentId: null,
      threadRootId: null,
      clientSessionId: null,
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

  it('keeps a burst of concurrent requests within the queue bound: the rest are refused, none admitted is lost', async () => {
    const alice = await user(db(), 'burst-alice');
    // Nothing is written while the batch lingers, so the queue stays as full as admission lets it.
    const recorder = new DatabaseRecorder(db(), log, {
      maxQueuedRecords: 40,
      recordsPerInterception: 5,
      admitTimeoutMs: 100,
      lingerMs: 60_000,
    });
    let deepest = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const s = start(alice);
        try {
          await recorder.start(s);
        } catch (error) {
          expect(error).toBeInstanceOf(RecorderOverloadedError);
          return { id: s.id, admitted: false };
        }
        recordExchange(recorder, s);
        deepest = Math.max(deepest, recorder.queueDepth);
        return { id: s.id, admitted: true };
      }),
    );
    const admitted = outcomes.filter((o) => o.admitted).map((o) => o.id);
    const refused = outcomes.filter((o) => !o.admitted).map((o) => o.id);
    expect(admitted).toHaveLength(8);
    expect(deepest).toBeLessThanOrEqual(40);
    await recorder.close();
    expect(await countRows(db(), 'aibridge_interceptions', admitted)).toBe(8);
    expect(await countRows(db(), 'aibridge_token_usages', admitted)).toBe(16);
    expect(await countRows(db(), 'aibridge_interceptions', refused)).toBe(0);
  });

  it('gives the room back when a start cannot be written, and when an interception ends', async () => {
    const alice = await user(db(), 'room-alice');
    const recorder = new DatabaseRecorder(db(), log, {
      maxQueuedRecords: 5,
      recordsPerInterception: 5,
      admitTimeoutMs: 50,
    });
    // An unknown initiator breaks the foreign key: the start fails and frees its reservation.
    const orphan = recorder.start(start('00000000-0000-4000-8000-000000000000'));
    await expect(orphan).rejects.toThrow();
    await expect(orphan).rejects.not.toBeInstanceOf(RecorderOverloadedError);
    const s = start(alice);
    await recorder.start(s);
    await expect(recorder.start(start(alice))).rejects.toBeInstanceOf(RecorderOverloadedError);
    recordExchange(recorder, s);
    await recorder.durable(recorder.record({ kind: 'end', interceptionId: s.id, endedAt: new Date() }));
    await recorder.start(start(alice));
    await recorder.close();
  });
});
