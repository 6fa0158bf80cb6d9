import { describe, expect, it } from 'vitest';
import { identityFrom, SignInRefused } from './claims.js';
import { loadOidcConfig, type OidcConfig } from './config.js';

const fail = (message: string) => new Error(message);

function config(env: Record<string, string> = {}): OidcConfig {
  const loaded = loadOidcConfig(
    {
      AIBRIDGE_OIDC_ISSUER: 'https://idp.example.com/',
      AIBRIDGE_OIDC_CLIENT_ID: 'aibridge',
      AIBRIDGE_PUBLIC_URL: 'https://aibridge.example.com/',
      ...env,
    },
    fail,
  );
  if (!loaded) throw new Error('expected a configuration');
  return loaded;
}

describe('single sign-on settings', () => {
  it('is off without an issuer and names what is missing when half set', () => {
    expect(loadOidcConfig({}, fail)).toBeUndefined();
    expect(() => loadOidcConfig({ AIBRIDGE_OIDC_ISSUER: 'https://idp.example.com' }, fail)).toThrow(
      /AIBRIDGE_OIDC_CLIENT_ID/,
    );
    expect(() => config({ AIBRIDGE_OIDC_ROLE_MAP: 'admins=superuser' })).toThrow(/AIBRIDGE_OIDC_ROLE_MAP/);
  });

  it('reads scopes, claims and the maps, with defaults', () => {
    const c = config({
      AIBRIDGE_OIDC_ROLE_MAP: 'aibridge-owners=owner, auditors=auditor',
      AIBRIDGE_OIDC_GROUP_MAP: 'Engineering - ML=ml',
      AIBRIDGE_OIDC_ALLOWED_DOMAINS: 'Example.com, example.org',
    });
    expect(c).toMatchObject({
      scopes: ['openid', 'profile', 'email'],
      publicUrl: 'https://aibridge.example.com',
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      allowedDomains: ['example.com', 'example.org'],
    });
    expect([...c.roleMap]).toEqual([
      ['aibridge-owners', 'owner'],
      ['auditors', 'auditor'],
    ]);
    expect(c.groupMap.get('Engineering - ML')).toBe('ml');
  });
});

describe('the sign-in policy on ID token claims', () => {
  const claims = { sub: 's-1', preferred_username: 'Ada.Lovelace@example.com', name: 'Ada', groups: ['eng'] };

  it('derives a username Coder accepts, the name and groups', () => {
    expect(identityFrom(claims, config())).toMatchObject({
      subject: 's-1',
      username: 'Ada-Lovelace',
      name: 'Ada',
      groups: ['eng'],
      role: undefined,
    });
  });

  it('maps the highest role, member when no mapped group is present', () => {
    const c = config({ AIBRIDGE_OIDC_ROLE_MAP: 'eng=auditor,admins=owner' });
    expect(identityFrom({ ...claims, groups: ['eng', 'admins'] }, c).role).toBe('owner');
    expect(identityFrom({ ...claims, groups: ['eng'] }, c).role).toBe('auditor');
    expect(identityFrom({ ...claims, groups: [] }, c).role).toBe('member');
  });

  it('refuses other email domains, unverified emails and people outside the required groups', () => {
    const domains = config({ AIBRIDGE_OIDC_ALLOWED_DOMAINS: 'example.com' });
    expect(identityFrom({ ...claims, email: 'ada@example.com' }, domains).email).toBe('ada@example.com');
    expect(() => identityFrom({ ...claims, email: 'ada@evil.test' }, domains)).toThrow(/@example.com/);
    expect(() =>
      identityFrom({ ...claims, email: 'ada@example.com', email_verified: false }, domains),
    ).toThrow(SignInRefused);
    const required = config({ AIBRIDGE_OIDC_REQUIRED_GROUPS: 'aibridge-users' });
    expect(() => identityFrom(claims, required)).toThrow(/not in a group allowed/);
    expect(identityFrom({ ...claims, groups: ['aibridge-users'] }, required).groups).toEqual([
      'aibridge-users',
    ]);
  });

  it('refuses claims without a subject or a usable username', () => {
    expect(() => identityFrom({ preferred_username: 'ada' }, config())).toThrow(/sub/);
    expect(() => identityFrom({ sub: 'x', preferred_username: '---' }, config())).toThrow(/username/);
  });
});
