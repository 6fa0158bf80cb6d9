import * as client from 'openid-client';
import type { OidcConfig } from './config.js';

/** What the browser carries between the redirect to the provider and the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go once signed in: a path on this server. */
  next: string;
}

/** A callback the checks refused (state, PKCE, nonce, the provider's own error). */
export class CallbackRejected extends Error {}

/** The callback path the identity provider redirects to; register `<public URL>` + this. */
export const CALLBACK_PATH = '/api/v2/auth/oidc/callback';

/**
 * aibridge as an OpenID Connect relying party, through `openid-client` (authorization code
 * with PKCE S256, state and nonce). The provider's metadata is discovered on first use and
 * kept, so a provider that is down at start-up does not stop the server.
 */
export class RelyingParty {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly config: OidcConfig) {}

  /** The redirect URI registered with the provider. */
  get redirectUri(): string {
    return `${this.config.publicUrl}${CALLBACK_PATH}`;
  }

  /** The provider's authorization URL for a fresh attempt, and what the callback must match. */
  async begin(next: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      next,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Redeems the callback's code: checks state, sends the PKCE verifier, validates the ID
   * token (signature, issuer, audience, expiry, nonce) and returns its claims merged over
   * userinfo's (some providers send groups only there).
   */
  async complete(search: string, pending: PendingSignIn): Promise<Record<string, unknown>> {
    const configuration = await this.configuration();
    const currentUrl = new URL(`${this.redirectUri}${search}`);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new CallbackRejected(describe(error));
    }
    const claims = tokens.claims();
    if (!claims) throw new CallbackRejected('The identity provider returned no ID token.');
    const userinfo = await this.userinfo(configuration, tokens.access_token, claims.sub);
    return { ...userinfo, ...claims };
  }

  private async userinfo(
    configuration: client.Configuration,
    accessToken: string,
    subject: string,
  ): Promise<Record<string, unknown>> {
    if (!configuration.serverMetadata().userinfo_endpoint) return {};
    try {
      return await client.fetchUserInfo(configuration, accessToken, subject);
    } catch {
      // Userinfo only adds claims; the ID token already proved who signed in.
      return {};
    }
  }

  private configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      throw error;
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, allowInsecureIssuer } = this.config;
    const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
    return client.discovery(
      new URL(issuer),
      clientId,
      undefined,
      auth,
      allowInsecureIssuer ? { execute: [client.allowInsecureRequests] } : undefined,
    );
  }
}

/** The library's error as a sentence; its codes name which check failed. */
function describe(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) {
    return `The identity provider refused the sign-in: ${error.error_description ?? error.error}.`;
  }
  if (error instanceof client.ResponseBodyError) {
    return `The identity provider refused the code: ${error.error_description ?? error.error}.`;
  }
  // openid-client wraps the check that failed (e.g. 'unexpected "state" response parameter value').
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `The sign-in response failed its checks: ${message}.`;
}
