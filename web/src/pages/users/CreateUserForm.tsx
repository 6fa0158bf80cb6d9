import { type FormEvent, useState } from 'react';
import { useCreateUser } from '../../api/queries.js';
import type { Role, User } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';

const ROLES: ReadonlyArray<{ role: Role; label: string }> = [
  { role: 'member', label: 'Member — sees their own sessions' },
  { role: 'auditor', label: "Auditor — sees everyone's sessions" },
  { role: 'owner', label: 'Owner — manages users and tokens' },
];

/** Owners add people here; a new user then needs a token (issued on the right). */
export function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const create = useCreateUser();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { username: username.trim(), ...(name.trim() ? { name: name.trim() } : {}), role },
      {
        onSuccess: (user) => {
          setUsername('');
          setName('');
          onCreated(user);
        },
      },
    );
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
      <label>
        Username
        <input
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <label>
        <span>
          Name <span className="muted">(optional)</span>
        </span>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Role
        <select
          value={role}
          onChange={(e) => setRole(ROLES.find((r) => r.role === e.target.value)?.role ?? 'member')}
        >
          {ROLES.map(({ role, label }) => (
            <option key={role} value={role}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <FormError error={create.error} />
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        Create user
      </button>
    </form>
  );
}
