import type { Task } from './model.js';

/**
 * What the demo's people ask their agents, and how the scripted model works through each
 * request: thinking, tool calls in the client's own tools, then an answer. Written for a
 * made-up web service so the dashboard reads like a real team's week.
 */

const read = (file_path: string) => ({ name: 'Read', input: { file_path } });
const bash = (command: string, description: string) => ({ name: 'Bash', input: { command, description } });
const exec = (cmd: string) => ({ name: 'exec_command', input: { cmd, workdir: '/workspace/shop-api' } });
const patch = (file: string, from: string, to: string) => ({
  name: 'apply_patch',
  input: `*** Begin Patch\n*** Update File: ${file}\n@@\n-${from}\n+${to}\n*** End Patch\n`,
});

/** Claude Code's tasks (Read, Edit, Bash, Grep, Write). */
export const CLAUDE_CODE_TASKS: Task[] = [
  {
    prompt: 'The CSV export drops rows when a field contains a comma inside quotes. Find out why and fix it.',
    steps: [
      {
        thinking:
          'Rows vanish only with quoted commas, so the splitter is probably naive. Find where lines are split.',
        calls: [{ name: 'Grep', input: { pattern: "split\\(','\\)", path: 'src/export' } }],
      },
      { say: 'Found it; reading the parser.', calls: [read('/workspace/shop-api/src/export/csv.ts')] },
      {
        thinking:
          'split(",") ignores quotes. Replace it with the quote-aware tokenizer that already exists in src/lib/csv.ts.',
        calls: [
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/src/export/csv.ts',
              old_string: "const cells = line.split(',');",
              new_string: 'const cells = parseCsvLine(line);',
            },
          },
        ],
      },
      { calls: [bash('npm test -- export', 'Run the export tests')] },
    ],
    answer:
      'Fixed: the exporter split lines on every comma, including commas inside quoted fields, so those rows failed validation and were skipped. It now uses `parseCsvLine`, and the export tests pass.',
    finalThinking: 'Tests are green; summarise the root cause and the fix.',
  },
  {
    prompt:
      'Write unit tests for the token-bucket rate limiter in src/limits.ts, including the refill edge cases.',
    steps: [
      {
        thinking: 'Read the limiter to see its clock handling before writing tests.',
        calls: [read('/workspace/shop-api/src/limits.ts')],
      },
      {
        calls: [
          {
            name: 'Write',
            input: {
              file_path: '/workspace/shop-api/test/limits.test.ts',
              content:
                "import { TokenBucket } from '../src/limits.js';\n\ndescribe('TokenBucket', () => {\n  it('refills at the configured rate', () => { /* … */ });\n});\n",
            },
          },
        ],
      },
      { calls: [bash('npm test -- limits', 'Run the new limiter tests')] },
    ],
    answer:
      'Added 6 tests covering burst, steady refill, refill after a long idle period and clock skew. All pass.',
  },
  {
    prompt: 'Add a --dry-run flag to the deploy command and document it in the README.',
    steps: [
      {
        thinking: 'The deploy command lives in src/cli/deploy.ts; check how flags are declared there.',
        calls: [read('/workspace/shop-api/src/cli/deploy.ts'), read('/workspace/shop-api/README.md')],
      },
      {
        calls: [
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/src/cli/deploy.ts',
              old_string: ".option('--env <name>')",
              new_string:
                ".option('--env <name>')\n  .option('--dry-run', 'print the plan without applying it')",
            },
          },
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/README.md',
              old_string: '## Deploy',
              new_string: '## Deploy\n\n`npm run deploy -- --dry-run` prints what would change.',
            },
          },
        ],
      },
      { calls: [bash('npm run lint && npm test -- deploy', 'Lint and run the deploy tests')] },
    ],
    answer: '`deploy --dry-run` now prints the plan and exits before applying it; the README explains it.',
  },
  {
    prompt: 'Why is the login test flaky on CI? It fails maybe one run in ten.',
    steps: [
      {
        thinking: 'One in ten smells like timing. Look at the test first.',
        calls: [read('/workspace/shop-api/test/login.test.ts')],
      },
      { calls: [bash('npx vitest run test/login.test.ts --repeat 20', 'Repeat the login test 20 times')] },
    ],
    answer:
      'The test asserts the session cookie expiry to the exact second, and CI machines sometimes cross a second boundary between issuing and checking it. Compare with a one-second tolerance instead.',
    finalThinking: 'Two of twenty runs failed on the expiry assertion: timing, not logic.',
  },
  {
    prompt:
      'Rename the `userId` field to `accountId` across the API layer, keeping the database column as is.',
    steps: [
      {
        thinking: 'Find every use in src/api first.',
        calls: [{ name: 'Grep', input: { pattern: 'userId', path: 'src/api' } }],
      },
      {
        calls: [
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/src/api/orders.ts',
              old_string: 'userId',
              new_string: 'accountId',
            },
          },
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/src/api/carts.ts',
              old_string: 'userId',
              new_string: 'accountId',
            },
          },
          {
            name: 'Edit',
            input: {
              file_path: '/workspace/shop-api/src/api/views.ts',
              old_string: 'user_id: row.userId',
              new_string: 'user_id: row.accountId',
            },
          },
        ],
      },
      { calls: [bash('npx tsc --noEmit', 'Type-check the project')] },
    ],
    answer: 'Renamed in 3 files of src/api; the views still map to the `user_id` column. Type check passes.',
  },
];

/** Codex's tasks (exec_command, apply_patch, update_plan). */
export const CODEX_TASKS: Task[] = [
  {
    prompt: 'Add a --json flag to the export command so scripts can consume its output.',
    steps: [
      {
        thinking: 'Locate the export command and how it prints today.',
        say: 'Looking for the export command.',
        calls: [exec('rg --files src/cli | rg export')],
      },
      { calls: [exec('sed -n 1,120p src/cli/export.ts')] },
      {
        thinking: 'Add the flag and print JSON.stringify(rows) when it is set.',
        calls: [
          patch(
            'src/cli/export.ts',
            '  .action(print)',
            "  .option('--json', 'print JSON')\n  .action(printOrJson)",
          ),
        ],
      },
      { calls: [exec('npm test -- export')] },
    ],
    answer: 'Added `--json` to `export`: it prints the rows as a JSON array. Tests pass.',
  },
  {
    prompt: 'The build fails on Node 22 with ERR_REQUIRE_ESM. Fix it.',
    steps: [
      { thinking: 'Reproduce first.', calls: [exec('npm run build 2>&1 | tail -20')] },
      {
        say: 'A CommonJS config requires an ESM-only package.',
        calls: [exec('cat package.json'), exec('cat scripts/build.cjs')],
      },
      {
        calls: [
          patch(
            'scripts/build.cjs',
            "const chalk = require('chalk');",
            "const { default: chalk } = await import('chalk');",
          ),
        ],
      },
      { calls: [exec('npm run build')] },
    ],
    answer:
      'The build script `require`d chalk 5, which is ESM-only; it now loads it with a dynamic import. Build passes on Node 22.',
    finalThinking: 'Verified the build; explain the cause briefly.',
  },
  {
    prompt: 'Summarise what changed in the last five commits.',
    steps: [{ calls: [exec('git log --oneline -5'), exec('git diff HEAD~5 --stat')] }],
    answer:
      'Five commits: the CSV export fix, limiter tests, `deploy --dry-run`, the `accountId` rename in the API layer and a dependency bump. 14 files changed.',
  },
  {
    prompt: 'Bump the dependencies that npm audit reports as vulnerable, without major upgrades.',
    steps: [
      {
        thinking: 'Plan: audit, bump within range, reinstall, test.',
        calls: [{ name: 'update_plan', input: { plan: '1. npm audit 2. bump minor versions 3. npm test' } }],
      },
      { calls: [exec('npm audit --json | head -60')] },
      { calls: [patch('package.json', '"undici": "^6.19.0"', '"undici": "^6.21.1"')] },
      { calls: [exec('npm install && npm test')] },
    ],
    answer: 'Bumped undici to 6.21.1 (fixes 2 advisories). No major upgrades needed; tests pass.',
  },
];

/** Cursor's tasks (read_file, list_dir, edit_file, run_terminal_cmd). */
export const CURSOR_TASKS: Task[] = [
  {
    prompt: 'Explain how the session cache is invalidated when a user logs out.',
    steps: [
      { calls: [{ name: 'list_dir', input: { path: 'src/session' } }] },
      {
        calls: [
          { name: 'read_file', input: { path: 'src/session/cache.ts' } },
          { name: 'read_file', input: { path: 'src/auth/logout.ts' } },
        ],
      },
    ],
    answer:
      'Logout publishes `session.revoked` on the event bus; `SessionCache` subscribes and deletes the entry, so other replicas drop it within one poll interval.',
  },
  {
    prompt: 'Convert the config loader to validate with zod.',
    steps: [
      { calls: [{ name: 'read_file', input: { path: 'src/config.ts' } }] },
      {
        calls: [
          {
            name: 'edit_file',
            input: {
              target_file: 'src/config.ts',
              code_edit: 'const Config = z.object({ port: z.coerce.number() })',
            },
          },
        ],
      },
      { calls: [{ name: 'run_terminal_cmd', input: { command: 'npm test -- config' } }] },
    ],
    answer: 'The loader now parses the environment with a zod schema and reports every bad setting at once.',
  },
];

const answered = (prompt: string, answer: string): Task => ({ prompt, steps: [], answer });
const weather = (city: string, answer: string): Task => ({
  prompt: `What is the weather in ${city} right now?`,
  steps: [{ calls: [{ name: 'get_weather', input: { city, unit: 'celsius' } }] }],
  answer,
});

/** SDK scripts' one-off prompts (summaries, classification, the weather function example). */
export const SCRIPT_TASKS: Task[] = [
  answered(
    'Summarise last night’s error report in three bullet points.',
    '- 42 timeouts on /checkout between 02:00 and 02:10\n- 3 failed payment webhooks (retried)\n- no new error types',
  ),
  answered(
    'Classify this support ticket as billing, bug or question: "I was charged twice for order 4411."',
    'billing',
  ),
  weather('Lisbon', 'It is 21 °C and sunny in Lisbon.'),
  answered(
    'Write a one-line release note for: fix CSV export with quoted commas.',
    'CSV exports keep rows whose fields contain quoted commas.',
  ),
  answered(
    'Translate "Your order has shipped" into French, German and Portuguese.',
    'FR: Votre commande a été expédiée. DE: Ihre Bestellung wurde versandt. PT: A sua encomenda foi enviada.',
  ),
  weather('Oslo', 'It is 4 °C with light rain in Oslo.'),
];

/** Every task the demo's model knows. */
export const DEMO_TASKS: Task[] = [...CLAUDE_CODE_TASKS, ...CODEX_TASKS, ...CURSOR_TASKS, ...SCRIPT_TASKS];
