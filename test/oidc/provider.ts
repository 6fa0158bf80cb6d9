import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { Config } from '../../src/config.js';

/** One person the test identity provider knows, by the login typed on its sign-in form. */
export interface TestAccount {
  email: string;
  name: string;
  groups: string[];
}

/** A real OpenID provider (the `oidc-provider` package) on a random loopback port. */
export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Edit to change what the provider says at the next sign-in (e.g. drop a group). */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

/** A free loopback port, for a server whose own URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts the provider with one confidential client whose only redirect URI is aibridge's
 * callback; its development sign-in form accepts any password for a known login. PKCE is
 * required for the client, so a callback without the right verifier fails at the token call.
 */
export async function startIdentityProvider(
  redirectUri: string,
  accounts: Map<string, TestAccount>,
): Promise<TestIdentityProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'aibridge';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'picture'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    // Claims in the ID token itself, as Okta and Keycloak send them when so configured.
    conformIdTokenClaims: false,
    cookies: { keys: ['test-identity-provider-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          preferred_username: id,
          name: account.name,
          email: account.email,
          email_verified: true,
          picture: `https://avatars.example.com/${id}.png`,
          groups: account.groups,
        }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** aibridge's single sign-on settings pointing at a test provider. */
export function oidcSettings(
  idp: TestIdentityProvider,
  publicUrl: string,
  extra: Partial<NonNullable<Config['oidc']>> = {},
): NonNullable<Config['oidc']> {
  return {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scopes: ['openid', 'profile', 'email', 'groups'],
    publicUrl,
    providerName: 'Test IdP',
    usernameClaim: 'preferred_username',
    groupsClaim: 'groups',
    roleMap: new Map(),
    groupMap: new Map(),
    allowedDomains: [],
    requiredGroups: [],
    allowInsecureIssuer: true,
    ...extra,
  };
}
