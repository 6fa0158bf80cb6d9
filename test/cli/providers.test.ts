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
