import type { Command } from 'commander';
import { type Config, type Flags, loadConfig } from '../config.js';
import type { RunningServer } from '../server.js';
import { withExamples } from './flags.js';
import { stopOnSignals } from './signals.js';

/** `aibridge server`: runs the gateway, API and dashboard until SIGTERM/SIGINT. */
export function registerServerCommand(program: Command): void {
  const command = program
    .command('server')
    .description('Run the aibridge server (gateway, management API, dashboard)')
    .option('--http-address <host:port>', 'listen address (AIBRIDGE_HTTP_ADDRESS, default 127.0.0.1:3000)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); unset = embedded PGlite')
    .option('--data-dir <dir>', 'embedded database directory (AIBRIDGE_DATA_DIR, default ./.aibridge)')
    .option('--openai-base-url <url>', 'AIBRIDGE_OPENAI_BASE_URL')
    .option('--openai-key <key>', 'AIBRIDGE_OPENAI_KEY (falls back to OPENAI_API_KEY)')
    .option('--anthropic-base-url <url>', 'AIBRIDGE_ANTHROPIC_BASE_URL')
    .option('--anthropic-key <key>', 'AIBRIDGE_ANTHROPIC_KEY (falls back to ANTHROPIC_API_KEY)')
    .option(
      '--retention <duration>',
      'how long to keep interceptions (AIBRIDGE_RETENTION, default 60d; 0 = forever)',
    )
    .option('--max-concurrency <n>', 'concurrent gateway requests (AIBRIDGE_MAX_CONCURRENCY; 0 = unlimited)')
    .option(
      '--rate-limit <n>',
      'gateway requests per second per token, all replicas (AIBRIDGE_RATE_LIMIT; 0 = off)',
    )
    .option(
      '--user-rate-limit <n>',
      'gateway requests per minute per user, all replicas (AIBRIDGE_USER_RATE_LIMIT; 0 = off)',
    )
    .option(
      '--user-tokens-per-minute <n>',
      'input + output tokens per minute per user, all replicas (AIBRIDGE_USER_TOKENS_PER_MINUTE; 0 = off)',
    )
    .option('--redis-url <url>', 'count the rate limits in Redis instead of PostgreSQL (AIBRIDGE_REDIS_URL)')
    .option(
      '--replicas <n>',
      'replicas sharing the limits when their store is away (AIBRIDGE_REPLICAS; 0 = counted)',
    )
    .option(
      '--database-pool-size <n>',
      'PostgreSQL connections per replica (AIBRIDGE_DATABASE_POOL_SIZE, default 10)',
    )
    .option('--max-body-size <size>', 'largest gateway request body (AIBRIDGE_MAX_BODY_SIZE, default 32MiB)')
    .option(
      '--shutdown-timeout <duration>',
      'graceful shutdown wait (AIBRIDGE_SHUTDOWN_TIMEOUT, default 30s)',
    )
    .option(
      '--database-timeout <duration>',
      'bound on each database query and connection (AIBRIDGE_DATABASE_TIMEOUT, default 10s)',
    )
    .option(
      '--database-wait <duration>',
      'how long start-up waits for an unreachable database (AIBRIDGE_DATABASE_WAIT, default 2m)',
    )
    .option(
      '--interrupted-after <duration>',
      'close interceptions still open this long as interrupted (AIBRIDGE_INTERRUPTED_AFTER, default 1h; 0 = never)',
    )
    .option(
      '--outage-mode <spool|refuse>',
      'database unreachable: journal and serve, or answer 503 (AIBRIDGE_OUTAGE_MODE, default spool)',
    )
    .option('--spool-max-size <size>', 'bound on <data dir>/spool (AIBRIDGE_SPOOL_MAX_SIZE, default 1GiB)')
    .option(
      '--body-timeout <duration>',
      'a request not fully received by then is cut (AIBRIDGE_BODY_TIMEOUT, default 2m)',
    )
    .option('--upstream-connect-timeout <duration>', 'AIBRIDGE_UPSTREAM_CONNECT_TIMEOUT (default 10s)')
    .option('--upstream-first-byte-timeout <duration>', 'AIBRIDGE_UPSTREAM_FIRST_BYTE_TIMEOUT (default 10m)')
    .option(
      '--upstream-idle-timeout <duration>',
      'silent provider stream cut after (AIBRIDGE_UPSTREAM_IDLE_TIMEOUT, default 10m)',
    )
    .option(
      '--session-idle-window <duration>',
      'how long a conversation without a session id stays one session between turns (AIBRIDGE_SESSION_IDLE_WINDOW, default 2h)',
    )
    .option(
      '--recording-mode <durable|fast>',
      'commit each start row before the upstream call, or with its batch (AIBRIDGE_RECORDING_MODE, default durable)',
    )
    .option('--log-level <level>', 'AIBRIDGE_LOG_LEVEL (default info)')
    .option('--budget-time-zone <zone>', 'zone of budget periods (AIBRIDGE_BUDGET_TIME_ZONE, default UTC)')
    .option(
      '--budget-unpriced <allow|deny>',
      'unpriced models under a budget (AIBRIDGE_BUDGET_UNPRICED, default allow)',
    )
    .option(
      '--webhook-url <url>',
      'where budget events are POSTed (AIBRIDGE_WEBHOOK_URL; AIBRIDGE_WEBHOOK_SECRET signs them)',
    );
  withExamples(command, [
    'aibridge server',
    'DATABASE_URL=postgres://aibridge@db/aibridge AIBRIDGE_ANTHROPIC_KEY=sk-ant-... aibridge server --http-address :3000',
  ]);
  command.action(async (flags: Flags) => {
    const config = loadConfig(flags);
    // Loaded here: the server's modules are most of what the CLI would otherwise load for every command.
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    printBanner(config, server);
    stopOnSignals('aibridge', () => server.close());
  });
}

function printBanner(config: Config, server: RunningServer): void {
  const { url, bootstrapped } = server;
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite (${config.dataDir})`;
  const lines = [
    '',
    `aibridge is running on ${where}`,
    '',
    `  Dashboard   ${url}/`,
    `  API         ${url}/api/v2   (OpenAPI: ${url}/api/v2/openapi.json)`,
    `  OpenAI      ${url}/api/v2/aibridge/openai/v1${config.openai.key ? '' : '   (no key: set AIBRIDGE_OPENAI_KEY)'}`,
    `  Anthropic   ${url}/api/v2/aibridge/anthropic${config.anthropic.key ? '' : '   (no key: set AIBRIDGE_ANTHROPIC_KEY)'}`,
    '',
  ];
  if (bootstrapped?.generatedToken) {
    lines.push(
      `First start: created the owner "${bootstrapped.username}". Its API token, shown only this once:`,
      '',
      `  ${bootstrapped.generatedToken}`,
      '',
      `Try: curl -H 'Coder-Session-Token: ${bootstrapped.generatedToken}' ${url}/api/v2/users/me`,
      ` or: npx aibridge login ${url}   (and paste the token)`,
      '',
    );
  } else if (bootstrapped) {
    lines.push(
      `First start: created the owner "${bootstrapped.username}" with AIBRIDGE_BOOTSTRAP_TOKEN.`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
