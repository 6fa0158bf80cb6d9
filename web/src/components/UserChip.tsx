import type { MinimalUser } from '../api/types.js';
import { initials } from '../lib/format.js';

/** An avatar (or initials on a colour derived from the id) and the person's name. */
export function UserChip({ user, compact = false }: { user: MinimalUser; compact?: boolean }) {
  const label = user.name || user.username || 'unknown';
  return (
    <span className="user-chip" title={user.username ? `@${user.username}` : undefined}>
      {user.avatar_url ? (
        <img className="avatar" src={user.avatar_url} alt="" width={24} height={24} />
      ) : (
        <span className="avatar" aria-hidden="true" style={{ background: `hsl(${hue(user.id)} 55% 45%)` }}>
          {initials(label)}
        </span>
      )}
      {compact ? null : <span className="user-name">{label}</span>}
    </span>
  );
}

function hue(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}
