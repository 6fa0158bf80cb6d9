import { expect, it } from 'vitest';
import type { ProviderInstanceView } from '../../src/cli/api-types.js';
import { runCli } from '../cli.js';
import { useTestServer } from '../server.js';

const server = useTestServer('pglite');

it('aibridge providers create, list, update and delete manage instances through the API', {
  timeout: 60_000,
}, async () => {
  const env = { AIBRIDGE_URL: server().url, AIBRIDGE_TOKEN: server().ownerToken };
  const secret = 'sk-cli-created-key-0000000000abcd';
  const created = await runCli(
    [
      'providers',
      'create',
      'ollama',
      '--type',
      'openai-compatible',
      '--base-url',
      'http://127.0.0.1:11434/v1',
      '--key',
      secret,
    ],
    env,
  );
  expect(created.stderr).toBe('created provider ollama\n');
  expect(created.code).toBe(0);

  const updated = await runCli(
    ['providers', 'update', 'ollama', '--byok', 'byok-allowed', '--model', 'llama3'],
    env,
  );
  expect(updated.code).toBe(0);

  const listed = await runCli(['providers', 'list', '-o', 'json'], env);
  expect(listed.code).toBe(0);
  expect(listed.stdout).not.toContain(secret);
  const rows = JSON.parse(listed.stdout) as ProviderInstanceView[];
  expect(rows.find((p) => p.name === 'ollama')).toMatchObject({
    type: 'openai-compatible',
    byok: 'byok-allowed',
    models: ['llama3'],
    keys: [{ hint: 'sk-…abcd' }],
  });
  const table = await runCli(['providers', 'list'], env);
  expect(table.stdout).toMatch(/ollama\s+openai-compatible\s+http:\/\/127\.0\.0\.1:11434\/v1\s+sk-…abcd/);

  expect((await runCli(['providers', 'delete', 'ollama'], env)).code).toBe(0);
  const missing = await runCli(['providers', 'delete', 'ollama'], env);
  expect(missing.code).not.toBe(0);
  expect((await runCli(['providers', 'update', 'openai'], env)).stderr).toContain('nothing to change');
});

it('aibridge providers keys list, add (from stdin) and remove manage one key at a time', {
  timeout: 60_000,
}, async () => {
  const env = { AIBRIDGE_URL: server().url, AIBRIDGE_TOKEN: server().ownerToken };
  const first = 'sk-cli-first-key-00000000000001111';
  const second = 'sk-cli-second-key-0000000000002222';
  const created = await runCli(
    [
      'providers',
      'create',
      'rotating',
      '--type',
      'openai',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '--key',
      first,
    ],
    env,
  );
  expect(created.code).toBe(0);

  const added = await runCli(['providers', 'keys', 'add', 'rotating'], env, `${second}\n`);
  expect(added.code, added.stderr).toBe(0);
  expect(added.stderr).toMatch(/^added key sk-…2222 \(id [0-9a-f]{12}\) to provider rotating\n$/);

  const table = await runCli(['providers', 'keys', 'list', 'rotating'], env);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/[0-9a-f]{12}\s+sk-…1111\s+active\s+-/);
  const listed = await runCli(['providers', 'keys', 'list', 'rotating', '-o', 'json'], env);
  for (const secret of [first, second]) {
    expect(listed.stdout).not.toContain(secret);
    expect(added.stderr + added.stdout).not.toContain(secret);
  }
  const keys = JSON.parse(listed.stdout) as { id: string; hint: string }[];
  expect(keys.map((k) => k.hint)).toEqual(['sk-…1111', 'sk-…2222']);

  const removed = await runCli(['providers', 'keys', 'remove', 'rotating', keys[0]?.id as string], env);
  expect(removed.code).toBe(0);
  const last = await runCli(['providers', 'keys', 'remove', 'rotating', keys[1]?.id as string], env);
  expect(last.code).not.toBe(0);
  expect(last.stderr).toContain('last key');
});
