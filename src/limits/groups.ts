import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

/** The channel the groups' trigger notifies on any change to groups or memberships. */
const GROUP_LIMITS_CHANGED_CHANNEL = 'aibridge_group_limits_changed';
/** How often the version counter is read even without a notification (a lost NOTIFY, a reconnect). */
const POLL_MS = 2000;

/** A group's shared pools, as admission applies them to each of its members. */
export interface GroupLimit {
  id: string;
  name: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

/**
 * Which groups with limits each user belongs to, held in memory for the request path (one map
 * lookup) and re-read from the database when any replica changes a group or a membership: at
 * once on the trigger's NOTIFY, and at worst within `POLL_MS` by reading the trigger's version
 * counter. This is how provider settings reach every replica too (NOTIFY + poll).
 */
export class GroupLimitDirectory {
  private byUser = new Map<string, GroupLimit[]>();
  private groups = 0;
  private version: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly pollMs = POLL_MS,
  ) {}

  /** The groups with a limit `userId` is in (none: an empty list). */
  of(userId: string): readonly GroupLimit[] {
    return this.byUser.get(userId) ?? [];
  }

  /** How many groups have a limit (none: group limits cost the request path nothing). */
  get count(): number {
    return this.groups;
  }

  /** Calls `listener` after each reload (the limits start what group limits need). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.reload();
    await this.db.listen(GROUP_LIMITS_CHANGED_CHANNEL, () => void this.refresh());
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reloads now; concurrent calls share one reload and one more after it. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.reload()
      .catch((error: unknown) =>
        this.log.warn({ err: error }, 'group limits: reload failed; keeping the last ones'),
      )
      .finally(() => {
        this.loading = undefined;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.loading;
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.readVersion()) !== this.version) await this.refresh();
    } catch {
      // The database is away: the last limits stay in force until it is back.
    }
  }

  private async readVersion(): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('aibridge_group_limits_version')
      .select('version')
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  private async reload(): Promise<void> {
    const version = await this.readVersion();
    const rows = await this.db.kysely
      .selectFrom('groups')
      .leftJoin('group_members', 'group_members.group_id', 'groups.id')
      .select([
        'groups.id',
        'groups.name',
        'groups.requests_per_minute',
        'groups.tokens_per_minute',
        'group_members.user_id',
      ])
      .where((eb) =>
        eb.or([
          eb('groups.requests_per_minute', 'is not', null),
          eb('groups.tokens_per_minute', 'is not', null),
        ]),
      )
      .execute();
    const byUser = new Map<string, GroupLimit[]>();
    const groups = new Map<string, GroupLimit>();
    for (const row of rows) {
      let group = groups.get(row.id);
      if (!group) {
        group = {
          id: row.id,
          name: row.name,
          requestsPerMinute: row.requests_per_minute,
          tokensPerMinute: row.tokens_per_minute,
        };
        groups.set(row.id, group);
      }
      if (row.user_id === null) continue;
      const list = byUser.get(row.user_id);
      if (list) list.push(group);
      else byUser.set(row.user_id, [group]);
    }
    this.byUser = byUser;
    this.groups = groups.size;
    this.version = version;
    for (const listener of this.listeners) listener();
  }
}
