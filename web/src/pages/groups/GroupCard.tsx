import { type FormEvent, useState } from 'react';
import { groupChanges, useGroupChange, useUsers } from '../../api/queries.js';
import type { Group } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';
import { GroupLimits } from './GroupLimits.js';

/** One group: its members and shared limits, and for owners rename, limits, delete, add and remove a member. */
export function GroupCard({ group, owner }: { group: Group; owner: boolean }) {
  const change = useGroupChange();
  const users = useUsers(owner);
  const [pick, setPick] = useState('');
  const [renaming, setRenaming] = useState<string | undefined>();
  const members = new Set(group.members.map((m) => m.id));
  const candidates = (users.data?.users ?? []).filter((u) => !members.has(u.id));
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (pick) change.mutate(groupChanges.member(group.id, pick, true), { onSuccess: () => setPick('') });
  };
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (renaming === undefined) return;
    change.mutate(groupChanges.rename(group.id, renaming.trim()), {
      onSuccess: () => setRenaming(undefined),
    });
  };
  const count = group.members.length;
  return (
    <section className="card" aria-label={`Group ${group.name}`}>
      <h2>
        {group.name}{' '}
        <span className="muted">
          {count} {count === 1 ? 'member' : 'members'}
        </span>
      </h2>
      <ul className="member-list">
        {group.members.map((m) => (
          <li key={m.id}>
            {m.name || m.username} <span className="muted">@{m.username}</span>{' '}
            {owner ? (
              <button
                type="button"
                className="button button-quiet"
                aria-label={`Remove ${m.username}`}
                disabled={change.isPending}
                onClick={() => change.mutate(groupChanges.member(group.id, m.id, false))}
              >
                Remove
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <GroupLimits group={group} owner={owner} />
      {owner ? (
        <div className="form form-inline">
          <form onSubmit={add}>
            <label>
              Add a member
              <select value={pick} onChange={(e) => setPick(e.target.value)}>
                <option value="">Choose a user…</option>
                {candidates.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.username}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button" disabled={!pick || change.isPending}>
              Add
            </button>
          </form>
          {renaming === undefined ? (
            <button type="button" className="button button-quiet" onClick={() => setRenaming(group.name)}>
              Rename
            </button>
          ) : (
            <form onSubmit={rename}>
              <label>
                New name
                <input required value={renaming} onChange={(e) => setRenaming(e.target.value)} />
              </label>
              <button type="submit" className="button">
                Save name
              </button>
            </form>
          )}
          <button
            type="button"
            className="button button-quiet"
            disabled={change.isPending}
            onClick={() => {
              if (window.confirm(`Delete the group ${group.name}?`))
                change.mutate(groupChanges.remove(group.id));
            }}
          >
            Delete group
          </button>
        </div>
      ) : null}
      <FormError error={change.error} />
    </section>
  );
}
