/**
 * The one entry point of the configuration: each capability's settings live in `config/<part>.ts`
 * (its table of flags and env vars, its parsers, its slice of `Config`); this file joins them.
 */
import { type AuthConfig, loadAuthConfig } from './config/auth.js';
import { BUDGETS_SETTINGS, type BudgetsConfig, loadBudgetsConfig } from './config/budgets.js';
import { DATABASE_SETTINGS, type DatabaseConfig, loadDatabaseConfig } from './config/database.js';
import { LIMITS_SETTINGS, type LimitsConfig, loadLimitsConfig } from './config/limits.js';
import { loadOutageConfig, OUTAGE_SETTINGS, type OutageConfig } from './config/outage.js';
import { type Env, type FlagsOf, redactUrl, settingReader } from './config/parse.js';
import { loadRecordingConfig, RECORDING_SETTINGS, type RecordingConfig } from './config/recording.js';
import { loadServerConfig, SERVER_SETTINGS, type ServerConfig } from './config/server.js';
import { loadUpstreamConfig, UPSTREAM_SETTINGS, type UpstreamConfig } from './config/upstream.js';

export { ConfigError, parseDurationText } from './config/parse.js';
export type { RecordingMode } from './config/recording.js';
export type { LogLevel } from './config/server.js';

/** Everything the server needs to start, validated once so nothing runs half-configured. */
export type Config = ServerConfig &
  DatabaseConfig &
  UpstreamConfig &
  AuthConfig &
  LimitsConfig &
  OutageConfig &
  RecordingConfig &
  BudgetsConfig;

/** Every setting that has a flag, by flag name. */
const SETTINGS = {
  ...SERVER_SETTINGS,
  ...DATABASE_SETTINGS,
  ...UPSTREAM_SETTINGS,
  ...LIMITS_SETTINGS,
  ...OUTAGE_SETTINGS,
  ...RECORDING_SETTINGS,
  ...BUDGETS_SETTINGS,
};

/** Values given on the command line, by flag name (as commander camel-cases them). */
export type Flags = FlagsOf<typeof SETTINGS>;

/** Reads flags (first), then env vars, then defaults; throws ConfigError naming the bad setting. */
export function loadConfig(flags: Flags = {}, env: Env = process.env): Config {
  const read = settingReader(SETTINGS, flags, env);
  return {
    ...loadAuthConfig(env),
    ...loadServerConfig(read, env),
    ...loadDatabaseConfig(read),
    ...loadUpstreamConfig(read),
    ...loadLimitsConfig(read),
    ...loadOutageConfig(read),
    ...loadRecordingConfig(read, env),
    ...loadBudgetsConfig(read, env),
  };
}

/** The configuration as it may be printed or logged: secrets replaced by a marker. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const mark = (v: string | undefined) => (v ? '[REDACTED]' : undefined);
  return {
    ...config,
    databaseUrl: config.databaseUrl ? redactUrl(config.databaseUrl) : undefined,
    redisUrl: config.redisUrl ? redactUrl(config.redisUrl) : undefined,
    openai: { ...config.openai, key: mark(config.openai.key) },
    anthropic: { ...config.anthropic, key: mark(config.anthropic.key) },
    bootstrapToken: mark(config.bootstrapToken),
    secretKey: config.secretKey ? '[REDACTED]' : undefined,
    webhook: { ...config.webhook, secret: mark(config.webhook.secret) },
    metricsToken: mark(config.metricsToken),
    oidc: config.oidc ? { ...config.oidc, clientSecret: mark(config.oidc.clientSecret) } : undefined,
  };
}
