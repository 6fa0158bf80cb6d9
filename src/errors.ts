import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable, sqlState } from './db/errors.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from './db/health.js';
import { markCause, type ServerErrorCause } from './ops/server-errors.js';

/** One field that failed validation, as the reference reports it. */
export interface Validation {
  field: string;
  detail: string;
}

/** The reference error envelope: `message` always, `detail` and `validations` only when set. */
export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: Validation[];
}

/**
 * The one error type handlers throw; the error mapper turns it into the reference JSON
 * envelope, so every 4xx a client sees has the same shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    readonly validations?: Validation[],
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { message: this.message };
    if (this.detail) body.detail = this.detail;
    if (this.validations?.length) body.validations = this.validations;
    return body;
  }
}

/** Coder's wording for anything the caller may not see, so absence and denial look the same. */
const NOT_FOUND_MESSAGE = 'Resource not found or you do not have access to this resource';

/** Coder's wording for a missing, bad or expired token. */
export const SIGNED_OUT_MESSAGE =
  'You are signed out or your session has expired. Please sign in again to continue.';

export const notFound = (): ApiError => new ApiError(404, NOT_FOUND_MESSAGE);
export const forbidden = (detail?: string): ApiError => new ApiError(403, 'Forbidden.', detail);
export const unauthorized = (detail: string): ApiError => new ApiError(401, SIGNED_OUT_MESSAGE, detail);
export const validationFailed = (validations: Validation[], message = 'Validation failed.'): ApiError =>
  new ApiError(400, message, undefined, validations);

/**
 * The API's one error reply: whatever was thrown (or found missing), answered in the reference
 * envelope with its status. The gateway's routes use their provider's shape instead (gateway/errors.ts).
 */
export function sendApiError(reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) markCause(reply.raw, causeOf(error, status));
  if (status === 503) reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
  return reply.code(status).send(body);
}

function causeOf(error: unknown, status: number): ServerErrorCause {
  if (status === 503 && isDatabaseUnavailable(error)) return 'database_unavailable';
  // The API's own 5xx errors are the identity provider's (502) failures.
  if (error instanceof ApiError && status === 502) return 'upstream_error';
  return 'internal';
}

/** Maps anything thrown in a handler to a status and envelope; an unreachable database a 503; unknown errors a bare 500. */
function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.status, body: error.toBody() };
  // A data exception (class 22: NUL bytes, lone surrogates, out-of-range values) on an API
  // route comes from what the caller sent.
  if (sqlState(error)?.startsWith('22')) {
    return {
      status: 400,
      body: {
        message: 'Invalid request.',
        detail: 'The request contains a value the database cannot store or compare (e.g. a NUL byte).',
      },
    };
  }
  if (isDatabaseUnavailable(error)) {
    return { status: 503, body: { message: 'The database is unavailable.', detail: 'Retry shortly.' } };
  }
  const status = httpStatusOf(error);
  if (status === 413) return { status, body: { message: 'Request body is too large.' } };
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { message: 'Invalid request.', detail: errorMessage(error) } };
  }
  return { status: 500, body: { message: 'An internal error occurred.' } };
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/** The message of an Error, or the value itself as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
