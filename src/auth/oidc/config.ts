import type { Role } from '../../db/schema/index.js';

/** Single sign-on settings; absent when `AIBRIDGE_OIDC_ISSUER` is unset (token sign-in only). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  /** Where the browser reaches this server; the redirect URI is `<publicUrl>/api/v2/auth/oidc/callback`. */
  publicUrl: string;
  /** The button's label: "Sign in with <providerName>". */
  providerName: string;
  /** The ID token (or userinfo) claim that becomes the aibridge username. */
  usernameClaim: string;
  /** The claim listing the person's groups (an array of names). */
  groupsClaim: string;
  /** Identity-provider group → aibridge role; the highest mapped role wins at each sign-in. */
  roleMap: Map<string, Role>;
  /** Identity-provider group → aibridge group name (besides groups whose names match exactly). */
  groupMap: Map<string, string>;
  /** When non-empty, the email's domain must be one of these. */
  allowedDomains: string[];
  /** When non-empty, the person must be in at least one of these identity-provider groups. */
  requiredGroups: string[];
  /** Plain-HTTP issuers are refused unless this is set (a local test provider). */
  allowInsecureIssuer: boolean;
}

/** Browser-session lifetimes: the cookie ends at whichever comes first. */
export interface BrowserSessionConfig {
  idleMs: number;
  maxAgeMs: number;
}

type Env = Record<string, string | undefined>;
type Fail = (message: string) => Error;

const ROLES: readonly Role[] = ['owner', 'auditor', 'member'];

/**
 * Reads the `AIBRIDGE_OIDC_*` settings. Kept apart from the rest of the configuration so the
 * whole of single sign-on is one folder; config.ts only calls this.
 */
export function loadOidcConfig(env: Env, fail: Fail): OidcConfig | undefined {
  const issuer = env.AIBRIDGE_OIDC_ISSUER || undefined;
  if (!issuer) return undefined;
  const clientId = env.AIBRIDGE_OIDC_CLIENT_ID;
  if (!clientId) throw fail('AIBRIDGE_OIDC_CLIENT_ID must be set when AIBRIDGE_OIDC_ISSUER is');
  const publicUrl = env.AIBRIDGE_PUBLIC_URL;
  if (!publicUrl)
    throw fail(
      'AIBRIDGE_PUBLIC_URL must be set when AIBRIDGE_OIDC_ISSUER is (the redirect URI is built from it)',
    );
  return {
    issuer: httpUrl(issuer, 'AIBRIDGE_OIDC_ISSUER', fail),
    clientId,
    clientSecret: env.AIBRIDGE_OIDC_CLIENT_SECRET || undefined,
    scopes: list(env.AIBRIDGE_OIDC_SCOPES ?? 'openid profile email', /[\s,]+/),
    publicUrl: httpUrl(publicUrl, 'AIBRIDGE_PUBLIC_URL', fail).replace(/\/+$/, ''),
    providerName: env.AIBRIDGE_OIDC_PROVIDER_NAME || 'SSO',
    usernameClaim: env.AIBRIDGE_OIDC_USERNAME_CLAIM || 'preferred_username',
    groupsClaim: env.AIBRIDGE_OIDC_GROUPS_CLAIM || 'groups',
    roleMap: pairs(env.AIBRIDGE_OIDC_ROLE_MAP, 'AIBRIDGE_OIDC_ROLE_MAP', fail, (role) =>
      ROLES.find((r) => r === role),
    ),
    groupMap: pairs(
      env.AIBRIDGE_OIDC_GROUP_MAP,
      'AIBRIDGE_OIDC_GROUP_MAP',
      fail,
      (name) => name || undefined,
    ),
    allowedDomains: list(env.AIBRIDGE_OIDC_ALLOWED_DOMAINS ?? '', /[\s,]+/).map((d) => d.toLowerCase()),
    requiredGroups: list(env.AIBRIDGE_OIDC_REQUIRED_GROUPS ?? '', /,/),
    allowInsecureIssuer: env.AIBRIDGE_OIDC_ALLOW_INSECURE === 'true',
  };
}

/** `AIBRIDGE_BROWSER_SESSION_IDLE` (default 12h) and `AIBRIDGE_BROWSER_SESSION_MAX_AGE` (default 7d). */
export function loadBrowserSessionConfig(
  env: Env,
  duration: (value: string, name: string) => number,
): BrowserSessionConfig {
  return {
    idleMs: duration(env.AIBRIDGE_BROWSER_SESSION_IDLE || '12h', 'AIBRIDGE_BROWSER_SESSION_IDLE'),
    maxAgeMs: duration(env.AIBRIDGE_BROWSER_SESSION_MAX_AGE || '7d', 'AIBRIDGE_BROWSER_SESSION_MAX_AGE'),
  };
}

function list(value: string, separator: RegExp): string[] {
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `a=b,c=d` into a map, each value checked by `read`. */
function pairs<T>(
  value: string | undefined,
  name: string,
  fail: Fail,
  read: (v: string) => T | undefined,
): Map<string, T> {
  const map = new Map<string, T>();
  for (const pair of list(value ?? '', /,/)) {
    const at = pair.lastIndexOf('=');
    const parsed = at > 0 ? read(pair.slice(at + 1).trim()) : undefined;
    if (parsed === undefined) throw fail(`invalid ${name} entry "${pair}": expected idp-group=value`);
    map.set(pair.slice(0, at).trim(), parsed);
  }
  return map;
}

function httpUrl(value: string, name: string, fail: Fail): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`invalid ${name} "${value}": not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw fail(`invalid ${name} "${value}": must be http(s)`);
  return value;
}
