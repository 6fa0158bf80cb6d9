import { type FormEvent, useState } from 'react';
import { useCreateProvider, useUpdateProvider } from '../../api/queries.js';
import type { CreateProviderRequest, ProviderInstance, UpdateProviderRequest } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';
import { headersOf, keysOf, modelsOf } from './fields.js';

type ProviderType = CreateProviderRequest['type'];
const TYPES: ProviderType[] = ['openai', 'anthropic', 'openai-compatible', 'azure-openai'];

/**
 * Owners create an instance here, or edit one. Keys are typed into a password field and never
 * shown back (the API returns hints only); on edit, keys entered replace all the instance's
 * keys and headers entered replace its headers, while empty fields leave them as they are,
 * since the page only knows their hints.
 */
export function ProviderForm({ editing, onDone }: { editing?: ProviderInstance; onDone: () => void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<ProviderType>('openai-compatible');
  const [baseUrl, setBaseUrl] = useState(editing?.base_url ?? '');
  const [headers, setHeaders] = useState('');
  const [models, setModels] = useState(editing?.models?.join('\n') ?? '');
  const [keys, setKeys] = useState('');
  const create = useCreateProvider();
  const update = useUpdateProvider(editing?.name ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The key leaves the page once sent: a password field's value is still in the DOM.
    const done = () => {
      setKeys('');
      onDone();
    };
    const common = {
      base_url: baseUrl.trim(),
      models: modelsOf(models),
      ...(headers.trim() ? { headers: headersOf(headers) } : {}),
    };
    if (editing) {
      const body: UpdateProviderRequest = { ...common, ...(keys.trim() ? { keys: keysOf(keys) } : {}) };
      update.mutate(body, { onSuccess: done });
    } else {
      create.mutate({ ...common, name: name.trim(), type, keys: keysOf(keys) }, { onSuccess: done });
    }
  };
  const title = editing ? `Edit ${editing.name}` : 'Add a provider';
  return (
    <form className="card form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      {editing ? null : (
        <>
          <label>
            Name <span className="muted">(its route prefix)</span>
            <input required value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
          </label>
          <label>
            Type
            <select value={type} onChange={(e) => setType(TYPES.find((t) => t === e.target.value) ?? type)}>
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
        </>
      )}
      <label>
        Base URL
        <input required type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </label>
      <label>
        Extra headers{' '}
        <span className="muted">(Name: value, one a line{editing ? '; empty keeps them' : ''})</span>
        <textarea value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} />
      </label>
      <label>
        Model allowlist <span className="muted">(one a line; empty allows every model)</span>
        <textarea value={models} onChange={(e) => setModels(e.target.value)} spellCheck={false} />
      </label>
      <label>
        {editing ? 'Replace keys' : 'Keys'}{' '}
        <span className="muted">(comma separated{editing ? '; empty keeps them' : ''})</span>
        <input
          type="password"
          value={keys}
          onChange={(e) => setKeys(e.target.value)}
          autoComplete="new-password"
        />
      </label>
      <FormError error={editing ? update.error : create.error} />
      <button type="submit" className="button button-primary" disabled={create.isPending || update.isPending}>
        {editing ? 'Save provider' : 'Add provider'}
      </button>
      {editing ? (
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
