import { useState } from 'react';
import { useUsers } from '../api/queries.js';
import type { User } from '../api/types.js';
import { columnsFor, DataTable } from '../components/DataTable.js';
import { ErrorState, Loading } from '../components/States.js';
import { Time } from '../components/Time.js';
import { UserChip } from '../components/UserChip.js';
import { CreateUserForm } from './users/CreateUserForm.js';
import { TokensPanel } from './users/TokensPanel.js';

/** Owners' page: the people who may use aibridge and the tokens they hold. */
export function UsersPage({ me }: { me: User }) {
  const users = useUsers(true);
  const [selectedId, setSelectedId] = useState(me.id);
  const selected = users.data?.users.find((u) => u.id === selectedId) ?? me;
  const col = columnsFor<User>();
  const columns = col.columns([
    col.display({
      id: 'user',
      header: 'User',
      cell: ({ row }) => (
        <button
          type="button"
          className="link-button"
          aria-pressed={row.original.id === selectedId}
          onClick={() => setSelectedId(row.original.id)}
        >
          <UserChip user={row.original} /> <span className="muted">@{row.original.username}</span>
        </button>
      ),
    }),
    col.display({
      id: 'role',
      header: 'Role',
      cell: ({ row }) => <span className="role-badge">{row.original.role}</span>,
    }),
    col.display({
      id: 'created',
      header: 'Created',
      cell: ({ row }) => <Time iso={row.original.created_at} />,
    }),
    col.display({
      id: 'seen',
      header: 'Last seen',
      cell: ({ row }) => <Time iso={row.original.last_seen_at} />,
    }),
  ]);
  return (
    <>
      <h1>Users &amp; tokens</h1>
      <div className="users-layout">
        <div>
          {users.isError ? (
            <ErrorState error={users.error} retry={() => users.refetch()} />
          ) : !users.data ? (
            <Loading active={users.isPending} />
          ) : (
            <DataTable
              caption="Users"
              columns={columns}
              data={users.data.users}
              rowKey={(u) => u.id}
              columnClass={{ created: 'optional', seen: 'optional' }}
              onRowClick={(u) => setSelectedId(u.id)}
            />
          )}
          <CreateUserForm onCreated={(user) => setSelectedId(user.id)} />
        </div>
        <TokensPanel key={selected.id} user={selected} />
      </div>
    </>
  );
}
