import type { Role } from '../db/schema/index.js';

/** Someone the demo (or a test) acts as: their account and the token their agents use. */
export interface Person {
  id: string;
  username: string;
  name: string;
  role: Role;
  token: string;
}

/** Who the demo's team is. */
export const DEMO_TEAM: Array<{ username: string; name: string; role: Role }> = [
  { username: 'alice', name: 'Alice Martin', role: 'member' },
  { username: 'bob', name: 'Bob Chen', role: 'member' },
  { username: 'dan', name: 'Dan Okafor', role: 'member' },
  { username: 'carol', name: 'Carol Diaz', role: 'auditor' },
];

/**
 * Creates users and issues each a token through the REST API as the owner, exactly as a
 * person would on the Users page, so the demo needs no back door into the database.
 */
export async function createPeople(
  serverUrl: string,
  ownerToken: string,
  team: Array<{ username: string; name: string; role: Role }>,
): Promise<Person[]> {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${serverUrl}/api/v2${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'coder-session-token': ownerToken },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, string>;
  };
  const people: Person[] = [];
  for (const member of team) {
    const user = await call('/users', member);
    const key = await call(`/users/${user.id}/keys`, { token_name: 'agents' });
    people.push({ ...member, id: user.id as string, token: key.key as string });
  }
  return people;
}
