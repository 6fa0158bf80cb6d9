import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { insertMember } from '../../test/seed.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log.js';
import { DatabaseRecorder } from './recorder.js';
import type { InterceptionStart } from './types.js';

const log = createLogger('silent');
const HOUR = 60 * 60 * 1000;

function user(db: Database, username: string): Promise<string> {
  return insertMember(db.kysely, username);
}

function start(initiatorId: string, fields: Partial<InterceptionStart> = {}): InterceptionStart {
  return {
    id: randomUUID(),
    initiatorId,
    apiKeyId: 'abcdefghij',
    provider: 'openai',
    model: 'gpt-5',
    client: 'Unknown',
    clientSessionId: undefined,
    correlatingToolCallId: undefined,
    metadata: {},
    startedAt: new Date(),
    ...fields,
  };
}

describeEachDatabase('DatabaseRecorder: conversations without a session id', (db) => {
  it('joins a fingerprint only within the idle window, only for later turns, never across users', async () => {
    const recorder = new DatabaseRecorder(db(), log);
    const alice = await user(db(), 'fp-alice');
    const bob = await user(db(), 'fp-bob');
    const opening = `open-${randomUUID()}`;
    const answered = `answered-${randomUUID()}`;
    const first = start(alice, { conversationFingerprint: opening, startedAt: new Date(Date.now() - HOUR) });
    await recorder.start(first);
    const laterTurn = (initiatorId: string) =>
      recorder.start(start(initiatorId, { conversationFingerprint: answered, conversationOpening: opening }));
    expect((await laterTurn(alice)).clientSessionId).toBe(first.id);
    expect((await laterTurn(bob)).clientSessionId).toBeNull();
    // A first turn that opens the same way is a new conversation...
    const again = start(alice, { conversationFingerprint: opening });
    expect((await recorder.start(again)).clientSessionId).toBeNull();
    // ...and the first conversation's later turns still find theirs by its first answer.
    expect((await laterTurn(alice)).clientSessionId).toBe(first.id);
    // A client session id of its own always wins.
    const own = start(alice, {
      conversationFingerprint: answered,
      conversationOpening: opening,
      clientSessionId: 'mine',
    });
    expect((await recorder.start(own)).clientSessionId).toBe('mine');

    const stale = `open-${randomUUID()}`;
    await recorder.start(
      start(alice, { conversationFingerprint: stale, startedAt: new Date(Date.now() - 3 * HOUR) }),
    );
    const afterIdle = start(alice, {
      conversationFingerprint: `answered-${randomUUID()}`,
      conversationOpening: stale,
    });
    expect((await recorder.start(afterIdle)).clientSessionId).toBeNull();

    // A shorter idle window, configured.
    const strict = new DatabaseRecorder(db(), log, { sessionIdleMs: HOUR / 2 });
    const hourOld = `open-${randomUUID()}`;
    await strict.start(
      start(alice, { conversationFingerprint: hourOld, startedAt: new Date(Date.now() - HOUR) }),
    );
    const late = start(alice, {
      conversationFingerprint: `answered-${randomUUID()}`,
      conversationOpening: hourOld,
    });
    expect((await strict.start(late)).clientSessionId).toBeNull();
    await Promise.all([recorder.close(), strict.close()]);
  });

  it('finds a continued response from memory before it is committed, and from the database after', async () => {
    const first = new DatabaseRecorder(db(), log, { lingerMs: 60_000 });
    const alice = await user(db(), 'prev-alice');
    const bob = await user(db(), 'prev-bob');
    const parent = start(alice, { clientSessionId: 'derived-session' });
    await first.start(parent);
    const seq = first.record({
      kind: 'token_usage',
      interceptionId: parent.id,
      pricedAs: { provider: parent.provider, model: parent.model, startedAt: parent.startedAt },
      providerResponseId: 'resp_continued',
      input: 1,
      output: 1,
      cacheRead: 0,
      cacheWrite: 0,
      metadata: {},
      lineage: { initiatorId: alice, threadRootId: parent.id, clientSessionId: 'derived-session' },
      createdAt: new Date(),
    });
    const expected = {
      threadParentId: parent.id,
      threadRootId: parent.id,
      clientSessionId: 'derived-session',
    };
    expect(await first.start(start(alice, { previousResponseId: 'resp_continued' }))).toEqual(expected);
    await first.durable(seq);
    const other = new DatabaseRecorder(db(), log);
    expect(await other.start(start(alice, { previousResponseId: 'resp_continued' }))).toEqual(expected);
    expect(await other.start(start(bob, { previousResponseId: 'resp_continued' }))).toEqual({
      threadParentId: null,
      threadRootId: null,
      clientSessionId: null,
    });
    await Promise.all([first.close(), other.close()]);
  });

  it('a tool result inherits the session key of the interception that made the call', async () => {
    const recorder = new DatabaseRecorder(db(), log);
    const alice = await user(db(), 'tool-alice');
    const parent = start(alice, { clientSessionId: 'joined-by-fingerprint' });
    await recorder.start(parent);
    const seq = recorder.record({
      kind: 'tool_usage',
      interceptionId: parent.id,
      initiatorId: alice,
      threadRootId: parent.id,
      clientSessionId: 'joined-by-fingerprint',
      providerResponseId: 'resp_1',
      toolCallId: 'call_inherit',
      tool: 'Read',
      input: '{}',
      createdAt: new Date(),
    });
    const fromMemory = await recorder.start(start(alice, { correlatingToolCallId: 'call_inherit' }));
    expect(fromMemory.clientSessionId).toBe('joined-by-fingerprint');
    await recorder.durable(seq);
    const other = new DatabaseRecorder(db(), log);
    const fromDatabase = await other.start(start(alice, { correlatingToolCallId: 'call_inherit' }));
    expect(fromDatabase).toEqual({
      threadParentId: parent.id,
      threadRootId: parent.id,
      clientSessionId: 'joined-by-fingerprint',
    });
    await Promise.all([recorder.close(), other.close()]);
  });
});
