import { useState } from 'react';
import { useDeleteProvider, useProviders } from '../api/queries.js';
import type { ProviderInstance } from '../api/types.js';
import { columnsFor, DataTable } from '../components/DataTable.js';
import { FormError } from '../components/FormError.js';
import { ErrorState, Loading } from '../components/States.js';
import { Time } from '../components/Time.js';
import { ProviderForm } from './providers/ProviderForm.js';
import { ProviderKeys } from './providers/ProviderKeys.js';

/** Owners' page: the provider instances the gateway serves, keys as hints only; owners edit them here. */
export function ProvidersPage() {
  const providers = useProviders();
  const remove = useDeleteProvider();
  const [editing, setEditing] = useState<ProviderInstance | undefined>();
  const [keysOf, setKeysOf] = useState<string | undefined>();
  const col = columnsFor<ProviderInstance>();
  const columns = col.columns([
    col.display({ id: 'name', header: 'Name', cell: ({ row }) => <code>{row.original.name}</code> }),
    col.display({ id: 'type', header: 'Type', cell: ({ row }) => row.original.type }),
    col.display({ id: 'base', header: 'Base URL', cell: ({ row }) => row.original.base_url }),
    col.display({
      id: 'keys',
      header: 'Keys',
      cell: ({ row }) =>
        row.original.keys.map((k) => k.hint).join(' ') || <span className="muted">none</span>,
    }),
    col.display({ id: 'byok', header: 'BYOK', cell: ({ row }) => row.original.byok }),
    col.display({
      id: 'updated',
      header: 'Updated',
      cell: ({ row }) => <Time iso={row.original.updated_at} />,
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) => (
        <>
          <button type="button" className="button button-quiet" onClick={() => setEditing(row.original)}>
            Edit
          </button>
          <button type="button" className="button button-quiet" onClick={() => setKeysOf(row.original.name)}>
            Keys
          </button>
          <button
            type="button"
            className="button button-quiet"
            disabled={remove.isPending}
            onClick={() => {
              const { name } = row.original;
              if (window.confirm(`Delete the provider ${name}? Its route stops serving.`))
                remove.mutate(name);
            }}
          >
            Delete
          </button>
        </>
      ),
    }),
  ]);
  return (
    <>
      <h1>Providers</h1>
      <p className="muted">
        Routes are <code>/api/v2/aibridge/&lt;name&gt;/…</code>. Change them with{' '}
        <code>aibridge providers</code>, the API or the form below; every replica follows within seconds. Keys
        are shown as hints only; <em>Keys</em> on a row lists them with their state, to add or remove one.
      </p>
      <FormError error={remove.error} />
      {providers.isError ? (
        <ErrorState error={providers.error} retry={() => providers.refetch()} />
      ) : !providers.data ? (
        <Loading active={providers.isPending} />
      ) : (
        <DataTable
          caption="Provider instances"
          columns={columns}
          data={providers.data}
          rowKey={(p) => p.name}
          columnClass={{ base: 'optional', updated: 'optional' }}
        />
      )}
      {keysOf && providers.data?.some((p) => p.name === keysOf) ? (
        <ProviderKeys key={keysOf} name={keysOf} onClose={() => setKeysOf(undefined)} />
      ) : null}
      <ProviderForm key={editing?.name ?? 'new'} editing={editing} onDone={() => setEditing(undefined)} />
    </>
  );
}
