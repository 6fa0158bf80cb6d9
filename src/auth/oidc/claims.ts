import { USERNAME_PATTERN } from '../../api/users.js';
import type { Role } from '../../db/schema/index.js';
import type { OidcConfig } from './config.js';

/** Who the identity provider says signed in, reduced to what aibridge keeps. */
export interface Identity {
  subject: string;
  username: string;
  name: string;
  avatarUrl: string;
  email: string | undefined;
  /** The groups claim as given (identity-provider names). */
  groups: string[];
  /** The role the mapping gives, or undefined when no role mapping is configured. */
  role: Role | undefined;
}

/** A sign-in the policy refuses, with the sentence the person is shown. */
export class SignInRefused extends Error {}

const RANK: Record<Role, number> = { member: 0, auditor: 1, owner: 2 };

/**
 * Applies the sign-in policy to the ID token's (and userinfo's) claims: a username from the
 * configured claim, the allowed email domains, the required groups and the role mapping.
 * Pure, so every rule is tested without a provider.
 */
export function identityFrom(claims: Record<string, unknown>, config: OidcConfig): Identity {
  const subject = text(claims.sub);
  if (!subject) throw new SignInRefused('The identity provider sent no subject (sub) claim.');
  const email = text(claims.email);
  const username = usernameFrom(claims, config.usernameClaim, email);
  const groups = groupsFrom(claims[config.groupsClaim]);
  if (config.allowedDomains.length > 0) {
    const domain = email?.split('@')[1]?.toLowerCase();
    if (!domain || !config.allowedDomains.includes(domain) || claims.email_verified === false) {
      throw new SignInRefused(
        `Sign-in is limited to ${config.allowedDomains.map((d) => `@${d}`).join(', ')} addresses${email ? `; ${email} is not one of them` : ''}.`,
      );
    }
  }
  if (config.requiredGroups.length > 0 && !groups.some((g) => config.requiredGroups.includes(g))) {
    throw new SignInRefused(
      `You are not in a group allowed to use aibridge (${config.requiredGroups.join(', ')}). Ask your administrator for access.`,
    );
  }
  return {
    subject,
    username,
    name: text(claims.name) ?? '',
    avatarUrl: text(claims.picture) ?? '',
    email,
    groups,
    role: config.roleMap.size > 0 ? mappedRole(groups, config.roleMap) : undefined,
  };
}

function usernameFrom(claims: Record<string, unknown>, claim: string, email: string | undefined): string {
  let value = text(claims[claim]) ?? (claim === 'preferred_username' ? email : undefined);
  // An email (or a UPN, as Entra sends) names the person by its local part.
  if (value?.includes('@')) value = value.split('@')[0];
  // Coder's rule: letters and digits in hyphen-separated groups, at most 32 long.
  const cleaned = value
    ?.replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  if (!cleaned || !USERNAME_PATTERN.test(cleaned)) {
    throw new SignInRefused(`The identity provider sent no usable username in the "${claim}" claim.`);
  }
  return cleaned;
}

function groupsFrom(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === 'string' && g !== '');
}

function mappedRole(groups: string[], roleMap: Map<string, Role>): Role {
  let role: Role = 'member';
  for (const group of groups) {
    const mapped = roleMap.get(group);
    if (mapped && RANK[mapped] > RANK[role]) role = mapped;
  }
  return role;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
