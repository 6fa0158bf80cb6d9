import { ApiError } from '../api/client.js';

/**
 * Why a form failed, as an alert under it: a request's error in the server's words (or that the
 * server could not be reached), or a message the page wrote. Renders nothing without an error.
 */
export function FormError({ error, id }: { error: Error | string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p id={id} className="form-error" role="alert">
      {typeof error === 'string' ? error : describe(error)}
    </p>
  );
}

function describe(error: Error): string {
  return error instanceof ApiError ? error.describe() : 'The server could not be reached.';
}
