import { expect, it } from 'vitest';
import type { Group } from '../../src/cli/api-types.js';
import { runCli } from '../cli.js';
import { useTestServer } from '../server.js';

const server = useTestServer('pglite');

it("aibridge groups limits sets and clears a group's shared limits; list shows them", {
  timeout: 60_000,
}, async () => {
  const env = { AIBRIDGE_URL: server().url, AIBRIDGE_TOKEN: server().ownerToken };
  expect((await runCli(['groups', 'create', 'platform'], env)).code).toBe(0);
  const set = await runCli(
    ['groups', 'limits', 'platform', '--requests-per-minute', '600', '--tokens-per-minute', '2000000'],
    env,
  );
  expect(set.stderr).toBe('group platform: 600 requests/min, 2000000 tokens/min\n');
  expect(set.code).toBe(0);
  const table = await runCli(['groups', 'list'], env);
  expect(table.stdout).toMatch(/REQ\/MIN\s+TOKENS\/MIN/);
  expect(table.stdout).toMatch(/platform\s+600\s+2,000,000/);

  const cleared = await runCli(['groups', 'limits', 'platform', '--tokens-per-minute', 'none'], env);
  expect(cleared.stderr).toBe('group platform: 600 requests/min, none tokens/min\n');
  const rows = JSON.parse((await runCli(['groups', 'list', '-o', 'json'], env)).stdout) as Group[];
  expect(rows.find((g) => g.name === 'platform')).toMatchObject({
    requests_per_minute: 600,
    tokens_per_minute: null,
  });

  const bad = await runCli(['groups', 'limits', 'platform', '--requests-per-minute', '0'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--requests-per-minute takes a whole number ≥ 1, or none');
});
