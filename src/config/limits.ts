import { optional, parseCount, parseServiceUrl, type Raw, type Read } from './parse.js';

/** Admission limits: per-replica concurrency and the global per-token and per-user rates and tokens. */
export interface LimitsConfig {
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
}

/** The limits' settings, each with a flag. */
export const LIMITS_SETTINGS = {
  maxConcurrency: { env: ['AIBRIDGE_MAX_CONCURRENCY'], fallback: '0' },
  rateLimit: { env: ['AIBRIDGE_RATE_LIMIT'], fallback: '0' },
  userRateLimit: { env: ['AIBRIDGE_USER_RATE_LIMIT'], fallback: '0' },
  userTokensPerMinute: { env: ['AIBRIDGE_USER_TOKENS_PER_MINUTE'], fallback: '0' },
  redisUrl: { env: ['AIBRIDGE_REDIS_URL'], fallback: undefined },
  replicas: { env: ['AIBRIDGE_REPLICAS'], fallback: '0' },
};

/** Reads the limits' settings; throws ConfigError naming a bad one. */
export function loadLimitsConfig(read: Read<typeof LIMITS_SETTINGS>): LimitsConfig {
  return {
    maxConcurrency: parseCount(read('maxConcurrency')),
    rateLimit: parseCount(read('rateLimit')),
    userRateLimit: parseCount(read('userRateLimit')),
    userTokensPerMinute: parseCount(read('userTokensPerMinute')),
    redisUrl: optional(read('redisUrl'), parseRedisUrl),
    replicas: parseCount(read('replicas')),
  };
}

const parseRedisUrl = (raw: Raw) =>
  parseServiceUrl(raw, ['redis:', 'rediss:'], 'redis://[user:password@]host:port[/db]');
