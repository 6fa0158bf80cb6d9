import {
  type BrowserSessionConfig,
  loadBrowserSessionConfig,
  loadOidcConfig,
  type OidcConfig,
} from '../auth/oidc/config.js';
import { isValidToken } from '../auth/token.js';
import { ConfigError, type Env, parseDuration } from './parse.js';

/** Who may sign in and how: the first owner's token, single sign-on, sealed provider keys. */
export interface AuthConfig {
  bootstrapToken: string | undefined;
  /**
   * `AIBRIDGE_SECRET_KEY`: the AES-256 key that seals provider keys at rest (32 bytes, as 64 hex
   * digits or base64); when unset, one is generated into the data directory.
   */
  secretKey: Buffer | undefined;
  /** Single sign-on (`AIBRIDGE_OIDC_*`); undefined when off. */
  oidc: OidcConfig | undefined;
  /** How long a dashboard sign-in lasts (idle and absolute). */
  browserSessions: BrowserSessionConfig;
}

/** Reads the sign-in and secret settings (all env-only); throws ConfigError naming a bad one. */
export function loadAuthConfig(env: Env): AuthConfig {
  const bootstrapToken = env.AIBRIDGE_BOOTSTRAP_TOKEN || undefined;
  if (bootstrapToken !== undefined && !isValidToken(bootstrapToken)) {
    throw new ConfigError(
      'invalid AIBRIDGE_BOOTSTRAP_TOKEN: expected <10 letters/digits>-<22 letters/digits>, as `aibridge tokens create` prints',
    );
  }
  return {
    bootstrapToken,
    secretKey: parseSecretKey(env.AIBRIDGE_SECRET_KEY || undefined),
    oidc: loadOidcConfig(env, (message) => new ConfigError(message)),
    browserSessions: loadBrowserSessionConfig(env, (value, name) => parseDuration({ value, name })),
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
