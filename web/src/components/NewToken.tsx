import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { CopyButton } from './CopyButton.js';

/** A just-issued token: the only time its secret is shown, with a copy button. */
export function NewToken({ token, children }: { token: string; children?: ReactNode }) {
  return (
    <div className="callout" role="status">
      <p>
        <strong>New token — copy it now, it will not be shown again.</strong>
      </p>
      <div className="token-once">
        <code data-testid="new-token">{token}</code>
        <CopyButton text={token} />
      </div>
      {children}
    </div>
  );
}

/** Why a form's request failed, in the server's words. */
export function RequestError({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error instanceof ApiError ? error.describe() : 'The server could not be reached.'}
    </p>
  );
}
