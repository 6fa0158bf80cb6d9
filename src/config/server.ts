import {
  type Env,
  invalid,
  optional,
  parseDuration,
  parseHttpUrl,
  parseSize,
  type Raw,
  type Read,
  required,
} from './parse.js';

/** Levels pino understands; `AIBRIDGE_LOG_LEVEL` must be one of them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level, as `AIBRIDGE_LOG_LEVEL` names it. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The HTTP server's settings: where it listens, what it accepts, how it stops and logs. */
export interface ServerConfig {
  http: { host: string; port: number };
  dataDir: string;
  /** How long a client may take to send a whole request (headers and body) before it is cut. */
  bodyTimeoutMs: number;
  /** Largest request body the gateway accepts before answering 413. */
  maxBodyBytes: number;
  /** How long a graceful shutdown waits for in-flight requests. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** When set, `/metrics` requires `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: when set, a span per interception is exported there (OTLP/HTTP). */
  otlpEndpoint: string | undefined;
  /**
   * `AIBRIDGE_PUBLIC_URL`: where people and agents reach this server (behind a proxy, its
   * outside URL), no trailing slash; the connect page's snippets use it, else the browser's URL.
   */
  publicUrl: string | undefined;
}

/** The server's settings that have a flag. */
export const SERVER_SETTINGS = {
  httpAddress: { env: ['AIBRIDGE_HTTP_ADDRESS'], fallback: '127.0.0.1:3000' },
  dataDir: { env: ['AIBRIDGE_DATA_DIR'], fallback: './.aibridge' },
  maxBodySize: { env: ['AIBRIDGE_MAX_BODY_SIZE'], fallback: '32MiB' },
  shutdownTimeout: { env: ['AIBRIDGE_SHUTDOWN_TIMEOUT'], fallback: '30s' },
  bodyTimeout: { env: ['AIBRIDGE_BODY_TIMEOUT'], fallback: '2m' },
  logLevel: { env: ['AIBRIDGE_LOG_LEVEL'], fallback: 'info' },
};

/** Reads the server's settings; throws ConfigError naming a bad one. */
export function loadServerConfig(read: Read<typeof SERVER_SETTINGS>, env: Env): ServerConfig {
  return {
    http: parseAddress(read('httpAddress')),
    dataDir: required(read('dataDir')),
    metricsToken: env.AIBRIDGE_METRICS_TOKEN || undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    maxBodyBytes: parseSize(read('maxBodySize')),
    shutdownTimeoutMs: parseDuration(read('shutdownTimeout')),
    bodyTimeoutMs: parseDuration(read('bodyTimeout')),
    logLevel: parseLogLevel(read('logLevel')),
    publicUrl: optional({ value: env.AIBRIDGE_PUBLIC_URL || undefined, name: 'AIBRIDGE_PUBLIC_URL' }, (raw) =>
      parseHttpUrl(raw).replace(/\/+$/, ''),
    ),
  };
}

function parseAddress(raw: Raw): { host: string; port: number } {
  const value = required(raw);
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  if (!match) throw invalid(raw, 'expected host:port, e.g. 127.0.0.1:3000 or :3000');
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65535) throw invalid(raw, 'port must be 0-65535');
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

function parseLogLevel(raw: Raw): LogLevel {
  const value = required(raw).toLowerCase();
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw invalid(raw, `expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
