import { type FormEvent, useState } from 'react';
import { groupChanges, useGroupChange, useGroups } from '../api/queries.js';
import type { User } from '../api/types.js';
import { FormError } from '../components/FormError.js';
import { ErrorState, Loading } from '../components/States.js';
import { GroupCard } from './groups/GroupCard.js';

/**
 * Groups: the teams budgets pool over. Owners and auditors see every group, members the ones
 * they are in; owners create, rename and delete groups and pick their members here.
 */
export function GroupsPage({ me }: { me: User }) {
  const owner = me.role === 'owner';
  const groups = useGroups();
  const change = useGroupChange();
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(groupChanges.create(name.trim()), { onSuccess: () => setName('') });
  };
  return (
    <section className="page">
      <header className="page-head">
        <h1>Groups</h1>
        <p className="muted">
          A budget on <code>group:&lt;name&gt;</code> is one pool shared by every member, and so are a group's
          requests and tokens per minute: a member of several groups needs room in each.
        </p>
      </header>
      {owner ? (
        <form className="card form form-inline" onSubmit={submit} aria-labelledby="create-group-title">
          <h2 id="create-group-title">Create a group</h2>
          <label>
            Group name
            <input
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </label>
          <button type="submit" className="button button-primary" disabled={change.isPending}>
            Create group
          </button>
          <FormError error={change.error} />
        </form>
      ) : null}
      {groups.isError ? (
        <ErrorState error={groups.error} retry={() => groups.refetch()} />
      ) : !groups.data ? (
        <Loading active={groups.isPending} />
      ) : groups.data.groups.length === 0 ? (
        <p className="state">{owner ? 'No groups yet: create one above.' : 'You are in no group.'}</p>
      ) : (
        groups.data.groups.map((g) => <GroupCard key={g.id} group={g} owner={owner} />)
      )}
    </section>
  );
}
