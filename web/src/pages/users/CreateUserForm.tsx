import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client.js';
import { useCreateUser } from '../../api/queries.js';
import type { User } from '../../api/types.js';

/** Owners add people here; a new user then needs a token (issued on the right). */
export function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('member');
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
        <select value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="member">Member — sees their own sessions</option>
          <option value="auditor">Auditor — sees everyone&apos;s sessions</option>
          <option value="owner">Owner — manages users and tokens</option>
        </select>
      </label>
      {create.error ? (
        <p className="form-error" role="alert">
          {create.error instanceof ApiError ? create.error.describe() : 'The server could not be reached.'}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        Create user
      </button>
    </form>
  );
}
