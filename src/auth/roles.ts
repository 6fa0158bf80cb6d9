import type { Role } from '../db/schema/index.js';

/** The authenticated caller of a request, as every handler and the recorder see it. */
export interface Actor {
  userId: string;
  username: string;
  name: string;
  avatarUrl: string;
  role: Role;
  apiKeyId: string;
}

/** The roles a user may hold, in the order the UI lists them. */
export const ROLES: readonly Role[] = ['owner', 'auditor', 'member'];

/** Human names of the roles, as Coder's `roles[].display_name`. */
export const ROLE_DISPLAY_NAMES: Record<Role, string> = {
  owner: 'Owner',
  auditor: 'Auditor',
  member: 'Member',
};

/** Owners manage users and anyone's tokens. */
export function canManageUsers(actor: Actor): boolean {
  return actor.role === 'owner';
}

/** Owners and auditors read every user's records and the user list; members only their own. */
export function canReadEveryone(actor: Actor): boolean {
  return actor.role === 'owner' || actor.role === 'auditor';
}

/** A user's own tokens are theirs to manage; owners manage everyone's. */
export function canManageTokensOf(actor: Actor, userId: string): boolean {
  return actor.userId === userId || canManageUsers(actor);
}
