import { type FormEvent, useState } from 'react';
import { connectSnippets, type Snippet } from '../../../src/connect/snippets.js';
import { useConnectSettings, useCreateKey, useKeys, useTokenClients } from '../api/queries.js';
import type { User } from '../api/types.js';
import { FormError } from '../components/FormError.js';
import { NewToken } from '../components/NewToken.js';
import { ErrorState } from '../components/States.js';
import { TokenNameField, tokenName } from '../components/TokenNameField.js';
import { SnippetCard } from './connect/SnippetCard.js';
import { TokenUseTable } from './connect/TokenUse.js';

/** The snippets by agent, in the order the shared module lists them. */
function byAgent(snippets: Snippet[]): Array<[string, Snippet[]]> {
  const groups = new Map<string, Snippet[]>();
  for (const snippet of snippets) groups.set(snippet.agent, [...(groups.get(snippet.agent) ?? []), snippet]);
  return [...groups];
}

/**
 * Connect your agent: create a personal token (shown once), then copy the setup of Claude
 * Code, Codex, the SDKs, curl or an OpenAI-compatible tool with this server's URL and the
 * token filled in; below, which clients used each token and when.
 */
export function ConnectPage({ me }: { me: User }) {
  const settings = useConnectSettings();
  const keys = useKeys(me.id);
  const clients = useTokenClients(me.id);
  const create = useCreateKey(me.id);
  const [name, setName] = useState('');
  const [token, setToken] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(tokenName(name), {
      onSuccess: ({ key }) => {
        setToken(key);
        setName('');
      },
    });
  };
  const snippets = connectSnippets({
    baseUrl: settings.data?.public_url ?? window.location.origin,
    token,
    anthropicProvider: settings.data?.anthropic_provider ?? 'anthropic',
    openaiProvider: settings.data?.openai_provider ?? 'openai',
  });
  return (
    <section className="page connect-page">
      <header className="page-head">
        <h1>Connect your agent</h1>
      </header>
      <section className="card" aria-labelledby="connect-token-title">
        <h2 id="connect-token-title">1. Create a token</h2>
        <p className="muted">A personal token for one agent or machine; the setup below fills it in.</p>
        {token ? <NewToken token={token} /> : null}
        <form className="form form-inline" aria-label="Create a token" onSubmit={submit}>
          <TokenNameField label="Token name" value={name} onChange={setName} />
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create token
          </button>
        </form>
        <FormError error={create.error} />
      </section>
      <section className="card" aria-labelledby="connect-setup-title">
        <h2 id="connect-setup-title">2. Set up your agent</h2>
        {settings.isError ? <ErrorState error={settings.error} /> : null}
        {byAgent(snippets).map(([agent, items]) => (
          <section key={agent} className="snippet-group" aria-label={agent}>
            <h3>{agent}</h3>
            {items.map((snippet) => (
              <SnippetCard key={snippet.id} snippet={snippet} />
            ))}
          </section>
        ))}
      </section>
      <section className="card" aria-labelledby="connect-tokens-title">
        <h2 id="connect-tokens-title">3. Check it works</h2>
        <p className="muted">
          Each client that used a token shows here within about a minute of its first request.
        </p>
        {keys.isError ? <ErrorState error={keys.error} /> : null}
        {keys.data ? <TokenUseTable keys={keys.data} clients={clients.data ?? []} /> : null}
      </section>
    </section>
  );
}
