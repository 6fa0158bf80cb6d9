import type { ReactNode } from 'react';
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
