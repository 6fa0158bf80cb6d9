import { type FormEvent, useState } from 'react';
import { groupChanges, useGroupChange } from '../../api/queries.js';
import type { Group } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';

const shown = (value: number | null) => (value === null ? 'no limit' : value.toLocaleString('en-US'));
const field = (value: number | null) => (value === null ? '' : String(value));
/** An empty field clears the limit. */
const parsed = (text: string) => (text.trim() === '' ? null : Number(text));

/**
 * A group's shared rate limits: one pool per minute of requests and of tokens that all its
 * members draw from. Owners edit them (an empty field clears one); everyone else reads them.
 */
export function GroupLimits({ group, owner }: { group: Group; owner: boolean }) {
  const change = useGroupChange();
  const [requests, setRequests] = useState(field(group.requests_per_minute));
  const [tokens, setTokens] = useState(field(group.tokens_per_minute));
  if (!owner) {
    return (
      <p className="muted">
        Shared limits: {shown(group.requests_per_minute)} requests/min, {shown(group.tokens_per_minute)}{' '}
        tokens/min
      </p>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(groupChanges.limits(group.id, parsed(requests), parsed(tokens)));
  };
  return (
    <form className="form form-inline" onSubmit={submit} aria-label={`Limits of ${group.name}`}>
      <label>
        Requests per minute (whole group)
        <input
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          placeholder="no limit"
          value={requests}
          onChange={(e) => setRequests(e.target.value)}
        />
      </label>
      <label>
        Tokens per minute (whole group)
        <input
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          placeholder="no limit"
          value={tokens}
          onChange={(e) => setTokens(e.target.value)}
        />
      </label>
      <button type="submit" className="button" disabled={change.isPending}>
        Save limits
      </button>
      <FormError error={change.error} />
    </form>
  );
}
