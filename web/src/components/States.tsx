import { type ReactNode, useEffect, useState } from 'react';
import { ApiError } from '../api/client.js';

/** True once `active` has stayed true for `ms`: a fast answer never flashes a spinner. */
export function useDelayed(active: boolean, ms = 300): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!active) {
      setShown(false);
      return;
    }
    const timer = setTimeout(() => setShown(true), ms);
    return () => clearTimeout(timer);
  }, [active, ms]);
  return shown;
}

/** A quiet placeholder shown only when loading takes a noticeable time. */
export function Loading({ active, label = 'Loading…' }: { active: boolean; label?: string }) {
  const shown = useDelayed(active);
  if (!shown) return <div className="state state-pending" aria-busy={active} />;
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

/** What went wrong, in the server's own words when it said something. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const text = error instanceof ApiError ? error.describe() : 'The server could not be reached.';
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Something went wrong</p>
      <p>{text}</p>
      {retry ? (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
