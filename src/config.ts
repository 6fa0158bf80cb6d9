import { loadPromptPolicy, type PromptPolicy, PromptPolicyError } from './audit/prompt-policy.js';
import {
  type BrowserSessionConfig,
  loadBrowserSessionConfig,
  loadOidcConfig,
  type OidcConfig,
} from './auth/oidc/config.js';
import { isValidToken } from './auth/token.js';
import type { UpstreamTimeouts } from './gateway/upstream.js';

/** Levels pino understands; `AIBRIDGE_LOG_LEVEL` must be one of them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the server needs to start, validated once so nothing runs half-configured. */
export interface Config {
  http: { host: string; port: number };
  databaseUrl: string | undefined;
  dataDir: string;
  openai: { baseUrl: string; key: string | undefined };
  anthropic: { baseUrl: string; key: string | undefined };
  bootstrapToken: string | undefined;
  /**
   * `AIBRIDGE_SECRET_KEY`: the AES-256 key that seals provider keys at rest (32 bytes, as 64 hex
   * digits or base64); when unset, one is generated into the data directory.
   */
  secretKey: Buffer | undefined;
  /** How long a client may take to send a whole request (headers and body) before it is cut. */
  bodyTimeoutMs: number;
  /** Connect, first-byte and idle-stream bounds on provider calls. */
  upstreamTimeouts: UpstreamTimeouts;
  /** When set, `/metrics` requires `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: when set, a span per interception is exported there (OTLP/HTTP). */
  otlpEndpoint: string | undefined;
  /** How long interceptions are kept; 0 keeps them forever. */
  retentionMs: number;
  /** Concurrent gateway requests per replica (a replica protects its own memory and CPU); 0 = no cap. */
  maxConcurrency: number;
  /** Requests per second per token, across all replicas; 0 disables the limit. */
  rateLimit: number;
  /** Requests per minute per user (all of a person's tokens), across all replicas; 0 disables it. */
  userRateLimit: number;
  /** Input + output tokens per minute per user, across all replicas; 0 disables it. */
  userTokensPerMinute: number;
  /** When set, the global rate limits count in this Redis instead of PostgreSQL. */
  redisUrl: string | undefined;
  /** How many replicas share a limit when its store is unreachable; 0 = counted by heartbeat. */
  replicas: number;
  /** PostgreSQL: connections in each replica's pool (pool size × replicas ≤ max_connections). */
  databasePoolSize: number;
  /** Largest request body the gateway accepts before answering 413. */
  maxBodyBytes: number;
  /** How long a graceful shutdown waits for in-flight requests. */
  shutdownTimeoutMs: number;
  /** PostgreSQL: bound on each query and on getting a connection (a frozen database fails fast). */
  databaseTimeoutMs: number;
  /** An interception still open this long after it started was left by a dead process; 0 = never reap. */
  interruptedAfterMs: number;
  /** PostgreSQL: how long start-up waits for an unreachable database (with backoff) before failing. */
  databaseWaitMs: number;
  /** How long a conversation without a client session id stays joinable by its fingerprint. */
  sessionIdleMs: number;
  /**
   * While the database is unreachable: `spool` journals interceptions in `<dataDir>/spool`
   * (up to `spoolMaxBytes`) and keeps serving; `refuse` answers 503 (and loses what shutdown
   * cannot write).
   */
  outage: { mode: 'spool' | 'refuse'; spoolMaxBytes: number };
  logLevel: LogLevel;
  /**
   * `durable` (default): an interception's start row is committed before its request goes
   * upstream. `fast`: the start row joins the recorder's next batch and the request goes up at
   * once; a crash of the process can lose the last flush interval's interceptions.
   */
  recordingMode: RecordingMode;
  /** Budgets: the IANA zone their calendar periods are counted in, and what an unpriced model may do. */
  budgets: { timeZone: string; unpriced: 'allow' | 'deny' };
  /** Where budget events are POSTed, and the HMAC key that signs them. */
  webhook: { url: string | undefined; secret: string | undefined };
  /**
   * `AIBRIDGE_PUBLIC_URL`: where people and agents reach this server (behind a proxy, its
   * outside URL), no trailing slash; the connect page's snippets use it, else the browser's URL.
   */
  publicUrl: string | undefined;
  /** Single sign-on (`AIBRIDGE_OIDC_*`); undefined when off. */
  oidc: OidcConfig | undefined;
  /** How long a dashboard sign-in lasts (idle and absolute). */
  browserSessions: BrowserSessionConfig;
  /** What the recorder keeps of prompts and tool-call arguments, and who may read them. */
  prompts: PromptPolicy;
}

/** When the start of an interception is committed: before the upstream call, or with its batch. */
export type RecordingMode = 'durable' | 'fast';

/** One setting: its env var(s), its flag and how to read it. */
interface Setting<K extends keyof Flags> {
  env: string[];
  flag: K;
  fallback: string | undefined;
}

/** Values given on the command line, by flag name (as commander camel-cases them). */
export interface Flags {
  httpAddress?: string;
  databaseUrl?: string;
  dataDir?: string;
  openaiBaseUrl?: string;
  openaiKey?: string;
  anthropicBaseUrl?: string;
  anthropicKey?: string;
  retention?: string;
  maxConcurrency?: string;
  rateLimit?: string;
  userRateLimit?: string;
  userTokensPerMinute?: string;
  redisUrl?: string;
  replicas?: string;
  databasePoolSize?: string;
  maxBodySize?: string;
  shutdownTimeout?: string;
  databaseTimeout?: string;
  databaseWait?: string;
  interruptedAfter?: string;
  bodyTimeout?: string;
  upstreamConnectTimeout?: string;
  upstreamFirstByteTimeout?: string;
  upstreamIdleTimeout?: string;
  sessionIdleWindow?: string;
  outageMode?: string;
  spoolMaxSize?: string;
  recordingMode?: string;
  logLevel?: string;
  budgetTimeZone?: string;
  budgetUnpriced?: string;
  webhookUrl?: string;
}

/** A configuration value that cannot be used; the message names the setting. */
export class ConfigError extends Error {}

const SETTINGS = {
  httpAddress: { env: ['AIBRIDGE_HTTP_ADDRESS'], flag: 'httpAddress', fallback: '127.0.0.1:3000' },
  databaseUrl: { env: ['AIBRIDGE_DATABASE_URL', 'DATABASE_URL'], flag: 'databaseUrl', fallback: undefined },
  dataDir: { env: ['AIBRIDGE_DATA_DIR'], flag: 'dataDir', fallback: './.aibridge' },
  openaiBaseUrl: {
    env: ['AIBRIDGE_OPENAI_BASE_URL'],
    flag: 'openaiBaseUrl',
    fallback: 'https://api.openai.com/v1/',
  },
  openaiKey: { env: ['AIBRIDGE_OPENAI_KEY', 'OPENAI_API_KEY'], flag: 'openaiKey', fallback: undefined },
  anthropicBaseUrl: {
    env: ['AIBRIDGE_ANTHROPIC_BASE_URL'],
    flag: 'anthropicBaseUrl',
    fallback: 'https://api.anthropic.com/',
  },
  anthropicKey: {
    env: ['AIBRIDGE_ANTHROPIC_KEY', 'ANTHROPIC_API_KEY'],
    flag: 'anthropicKey',
    fallback: undefined,
  },
  retention: { env: ['AIBRIDGE_RETENTION'], flag: 'retention', fallback: '60d' },
  maxConcurrency: { env: ['AIBRIDGE_MAX_CONCURRENCY'], flag: 'maxConcurrency', fallback: '0' },
  rateLimit: { env: ['AIBRIDGE_RATE_LIMIT'], flag: 'rateLimit', fallback: '0' },
  userRateLimit: { env: ['AIBRIDGE_USER_RATE_LIMIT'], flag: 'userRateLimit', fallback: '0' },
  userTokensPerMinute: {
    env: ['AIBRIDGE_USER_TOKENS_PER_MINUTE'],
    flag: 'userTokensPerMinute',
    fallback: '0',
  },
  redisUrl: { env: ['AIBRIDGE_REDIS_URL'], flag: 'redisUrl', fallback: undefined },
  replicas: { env: ['AIBRIDGE_REPLICAS'], flag: 'replicas', fallback: '0' },
  databasePoolSize: { env: ['AIBRIDGE_DATABASE_POOL_SIZE'], flag: 'databasePoolSize', fallback: '10' },
  maxBodySize: { env: ['AIBRIDGE_MAX_BODY_SIZE'], flag: 'maxBodySize', fallback: '32MiB' },
  shutdownTimeout: { env: ['AIBRIDGE_SHUTDOWN_TIMEOUT'], flag: 'shutdownTimeout', fallback: '30s' },
  databaseTimeout: { env: ['AIBRIDGE_DATABASE_TIMEOUT'], flag: 'databaseTimeout', fallback: '10s' },
  databaseWait: { env: ['AIBRIDGE_DATABASE_WAIT'], flag: 'databaseWait', fallback: '2m' },
  interruptedAfter: { env: ['AIBRIDGE_INTERRUPTED_AFTER'], flag: 'interruptedAfter', fallback: '1h' },
  bodyTimeout: { env: ['AIBRIDGE_BODY_TIMEOUT'], flag: 'bodyTimeout', fallback: '2m' },
  outageMode: { env: ['AIBRIDGE_OUTAGE_MODE'], flag: 'outageMode', fallback: 'spool' },
  spoolMaxSize: { env: ['AIBRIDGE_SPOOL_MAX_SIZE'], flag: 'spoolMaxSize', fallback: '1GiB' },
  upstreamConnectTimeout: {
    env: ['AIBRIDGE_UPSTREAM_CONNECT_TIMEOUT'],
    flag: 'upstreamConnectTimeout',
    fallback: '10s',
  },
  upstreamFirstByteTimeout: {
    env: ['AIBRIDGE_UPSTREAM_FIRST_BYTE_TIMEOUT'],
    flag: 'upstreamFirstByteTimeout',
    fallback: '10m',
  },
  upstreamIdleTimeout: {
    env: ['AIBRIDGE_UPSTREAM_IDLE_TIMEOUT'],
    flag: 'upstreamIdleTimeout',
    fallback: '10m',
  },
  sessionIdleWindow: {
    env: ['AIBRIDGE_SESSION_IDLE_WINDOW'],
    flag: 'sessionIdleWindow',
    fallback: '2h',
  },
  recordingMode: { env: ['AIBRIDGE_RECORDING_MODE'], flag: 'recordingMode', fallback: 'durable' },
  logLevel: { env: ['AIBRIDGE_LOG_LEVEL'], flag: 'logLevel', fallback: 'info' },
  budgetTimeZone: { env: ['AIBRIDGE_BUDGET_TIME_ZONE'], flag: 'budgetTimeZone', fallback: 'UTC' },
  budgetUnpriced: { env: ['AIBRIDGE_BUDGET_UNPRICED'], flag: 'budgetUnpriced', fallback: 'allow' },
  webhookUrl: { env: ['AIBRIDGE_WEBHOOK_URL'], flag: 'webhookUrl', fallback: undefined },
} satisfies { [K in keyof Flags]-?: Setting<K> };

type Env = Record<string, string | undefined>;

/** Reads flags (first), then env vars, then defaults; throws ConfigError naming the bad setting. */
export function loadConfig(flags: Flags = {}, env: Env = process.env): Config {
  const raw = (key: keyof typeof SETTINGS): { value: string | undefined; name: string } => {
    const setting = SETTINGS[key];
    const flagValue = flags[setting.flag];
    if (flagValue !== undefined) return { value: flagValue, name: `--${kebab(setting.flag)}` };
    for (const name of setting.env) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, name };
    }
    return { value: setting.fallback, name: setting.env[0] ?? key };
  };
  const bootstrapToken = env.AIBRIDGE_BOOTSTRAP_TOKEN || undefined;
  if (bootstrapToken !== undefined && !isValidToken(bootstrapToken)) {
    throw new ConfigError(
      'invalid AIBRIDGE_BOOTSTRAP_TOKEN: expected <10 letters/digits>-<22 letters/digits>, as `aibridge tokens create` prints',
    );
  }
  const secretKey = parseSecretKey(env.AIBRIDGE_SECRET_KEY || undefined);
  return {
    http: parseAddress(raw('httpAddress')),
    databaseUrl: optional(raw('databaseUrl'), parseDatabaseUrl),
    dataDir: required(raw('dataDir')),
    openai: { baseUrl: parseHttpUrl(raw('openaiBaseUrl')), key: raw('openaiKey').value || undefined },
    anthropic: {
      baseUrl: parseHttpUrl(raw('anthropicBaseUrl')),
      key: raw('anthropicKey').value || undefined,
    },
    bootstrapToken,
    secretKey,
    metricsToken: env.AIBRIDGE_METRICS_TOKEN || undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    retentionMs: parseDuration(raw('retention')),
    maxConcurrency: parseCount(raw('maxConcurrency')),
    rateLimit: parseCount(raw('rateLimit')),
    userRateLimit: parseCount(raw('userRateLimit')),
    userTokensPerMinute: parseCount(raw('userTokensPerMinute')),
    redisUrl: optional(raw('redisUrl'), parseRedisUrl),
    replicas: parseCount(raw('replicas')),
    databasePoolSize: parsePositive(raw('databasePoolSize')),
    maxBodyBytes: parseSize(raw('maxBodySize')),
    shutdownTimeoutMs: parseDuration(raw('shutdownTimeout')),
    databaseTimeoutMs: parseDuration(raw('databaseTimeout')),
    databaseWaitMs: parseDuration(raw('databaseWait')),
    interruptedAfterMs: parseDuration(raw('interruptedAfter')),
    bodyTimeoutMs: parseDuration(raw('bodyTimeout')),
    upstreamTimeouts: {
      connectMs: parseDuration(raw('upstreamConnectTimeout')),
      firstByteMs: parseDuration(raw('upstreamFirstByteTimeout')),
      idleMs: parseDuration(raw('upstreamIdleTimeout')),
    },
    sessionIdleMs: parseDuration(raw('sessionIdleWindow')),
    outage: { mode: parseOutageMode(raw('outageMode')), spoolMaxBytes: parseSize(raw('spoolMaxSize')) },
    recordingMode: parseRecordingMode(raw('recordingMode')),
    logLevel: parseLogLevel(raw('logLevel')),
    budgets: {
      timeZone: parseTimeZone(raw('budgetTimeZone')),
      unpriced: parseUnpriced(raw('budgetUnpriced')),
    },
    webhook: {
      url: optional(raw('webhookUrl'), parseHttpUrl),
      secret: env.AIBRIDGE_WEBHOOK_SECRET || undefined,
    },
    publicUrl: optional({ value: env.AIBRIDGE_PUBLIC_URL || undefined, name: 'AIBRIDGE_PUBLIC_URL' }, (raw) =>
      parseHttpUrl(raw).replace(/\/+$/, ''),
    ),
    oidc: loadOidcConfig(env, (message) => new ConfigError(message)),
    browserSessions: loadBrowserSessionConfig(env, (value, name) => parseDuration({ value, name })),
    prompts: promptPolicyOf(env),
  };
}

function promptPolicyOf(env: Env): PromptPolicy {
  try {
    return loadPromptPolicy(env);
  } catch (error) {
    throw error instanceof PromptPolicyError ? new ConfigError(error.message) : error;
  }
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

/** A 32-byte key written as 64 hex digits or as base64 (`openssl rand -base64 32`). */
function parseSecretKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      'invalid AIBRIDGE_SECRET_KEY: expected 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

/** Hides the password in a connection URL. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'REDACTED';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}

type Raw = { value: string | undefined; name: string };

function kebab(flag: string): string {
  return flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function invalid(raw: Raw, why: string): ConfigError {
  return new ConfigError(`invalid ${raw.name} ${JSON.stringify(raw.value ?? '')}: ${why}`);
}

function required(raw: Raw): string {
  if (!raw.value) throw invalid(raw, 'must not be empty');
  return raw.value;
}

function optional<T>(raw: Raw, parse: (raw: Raw) => T): T | undefined {
  return raw.value ? parse(raw) : undefined;
}

function parseAddress(raw: Raw): { host: string; port: number } {
  const value = required(raw);
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  if (!match) throw invalid(raw, 'expected host:port, e.g. 127.0.0.1:3000 or :3000');
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65535) throw invalid(raw, 'port must be 0-65535');
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

function parseHttpUrl(raw: Raw): string {
  const value = required(raw);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(raw, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(raw, 'must be http(s)');
  return url.toString();
}

const parseDatabaseUrl = (raw: Raw) =>
  parseServiceUrl(raw, ['postgres:', 'postgresql:'], 'postgres://user@host:port/database');
const parseRedisUrl = (raw: Raw) =>
  parseServiceUrl(raw, ['redis:', 'rediss:'], 'redis://[user:password@]host:port[/db]');

/** A connection URL of one of `protocols`; the error shows `example` and never echoes a password. */
function parseServiceUrl(raw: Raw, protocols: string[], example: string): string {
  const value = required(raw);
  try {
    if (!protocols.includes(new URL(value).protocol)) throw new Error();
  } catch {
    throw new ConfigError(`invalid ${raw.name}: expected ${example}`);
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Durations like `60d`, `2w`, `1h30m`, `500ms`; a bare `0` means zero. */
export function parseDurationText(value: string): number | string {
  if (value.trim() === '0') return 0;
  const parts = value.trim().matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g);
  let total = 0;
  let consumed = '';
  for (const [whole, amount, unit] of parts) {
    const factor = DURATION_UNITS[unit ?? ''];
    if (factor === undefined) return `unknown unit "${unit}" (use ms, s, m, h, d or w)`;
    total += Number(amount) * factor;
    consumed += whole;
  }
  if (consumed === '' || consumed !== value.trim()) return 'expected a duration such as 60d, 12h or 90m';
  return Math.round(total);
}

function parseDuration(raw: Raw): number {
  const result = parseDurationText(required(raw));
  if (typeof result === 'string') throw invalid(raw, result);
  return result;
}

function parseCount(raw: Raw): number {
  const value = required(raw);
  if (!/^\d+$/.test(value)) throw invalid(raw, 'must be a whole number ≥ 0');
  return Number(value);
}

function parsePositive(raw: Raw): number {
  const count = parseCount(raw);
  if (count < 1) throw invalid(raw, 'must be at least 1');
  return count;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1024 ** 2,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
};

function parseSize(raw: Raw): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(required(raw));
  const factor = SIZE_UNITS[(match?.[2] ?? 'x').toLowerCase()];
  if (!match || factor === undefined) throw invalid(raw, 'expected a size such as 32MiB or 1048576');
  const bytes = Number(match[1]) * factor;
  if (bytes < 1) throw invalid(raw, 'must be at least 1 byte');
  return bytes;
}

function parseLogLevel(raw: Raw): LogLevel {
  const value = required(raw).toLowerCase();
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw invalid(raw, `expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function parseTimeZone(raw: Raw): string {
  const value = required(raw);
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw invalid(raw, 'expected an IANA time zone, e.g. UTC or Europe/Paris');
  }
  return value;
}

function parseOutageMode(raw: Raw): 'spool' | 'refuse' {
  const value = required(raw);
  if (value !== 'spool' && value !== 'refuse') throw invalid(raw, 'expected spool or refuse');
  return value;
}

function parseRecordingMode(raw: Raw): RecordingMode {
  const value = required(raw);
  if (value !== 'durable' && value !== 'fast') throw invalid(raw, 'expected durable or fast');
  return value;
}

function parseUnpriced(raw: Raw): 'allow' | 'deny' {
  const value = required(raw);
  if (value !== 'allow' && value !== 'deny') throw invalid(raw, 'expected allow or deny');
  return value;
}
