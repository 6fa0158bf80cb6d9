import { z } from 'zod';
import type { GroupWithMembers } from '../../groups/store.js';

/** A group with its members, as `/api/v2/groups` returns it. */
export const GroupView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    members: z.array(z.object({ id: z.uuid(), username: z.string(), name: z.string() })),
    requests_per_minute: z
      .int()
      .nullable()
      .describe('Gateway requests per minute all members share, across replicas (null: no limit).'),
    tokens_per_minute: z
      .int()
      .nullable()
      .describe('Input + output tokens per minute all members share, across replicas (null: no limit).'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Group' });

/** The list envelope of `GET /api/v2/groups`. */
export const GroupListView = z
  .object({ groups: z.array(GroupView), count: z.int() })
  .meta({ id: 'GroupList' });

/** Maps a group and its members to its API JSON. */
export function groupView(group: GroupWithMembers): z.infer<typeof GroupView> {
  return {
    id: group.id,
    name: group.name,
    members: group.members,
    requests_per_minute: group.requests_per_minute,
    tokens_per_minute: group.tokens_per_minute,
    created_at: group.created_at.toISOString(),
    updated_at: group.updated_at.toISOString(),
  };
}
