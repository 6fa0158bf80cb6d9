import { z } from 'zod';
import { ApiError } from '../errors.js';
import { goQuote } from '../search/go-quote.js';
import { NIL_UUID, parseUuid } from '../search/uuid.js';

/**
 * Query parameters read the way the reference's QueryParamParser reads them, so clients get
 * its exact validation details: a repeated parameter is an error, an empty one is absent.
 * Each helper is a zod schema, so the same definition validates requests and documents them.
 */
function single(name: string) {
  return z.preprocess((raw, ctx) => {
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (values.length === 0 || values[0] === '') return undefined;
    if (values.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `Query param ${goQuote(name)} provided more than once, found ${values.length} times. Only provide 1 instance of this query param.`,
      });
      return undefined;
    }
    return String(values[0]);
  }, z.string().optional());
}

/** The first value of a parameter, as Go's `Query().Get` returns it ('' when absent). */
export function firstValue(description: string) {
  return z
    .preprocess((raw) => (Array.isArray(raw) ? String(raw[0] ?? '') : raw), z.string().optional())
    .transform((value) => value ?? '')
    .describe(description);
}

/** A UUID parameter (the all-zero UUID counts as absent). */
export function uuidParam(name: string, description: string) {
  return single(name)
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const id = parseUuid(value);
      if (id.ok) return id.value === NIL_UUID ? undefined : id.value;
      ctx.addIssue({ code: 'custom', message: `Query param ${goQuote(name)} must be a valid uuid` });
      return z.NEVER;
    })
    .describe(description);
}

/** A non-negative 32-bit integer parameter; absent is 0. */
function positiveInt32Param(name: string, description: string) {
  return single(name)
    .transform((value, ctx) => {
      if (value === undefined) return 0;
      const parsed = parseInt32(value);
      const problem = typeof parsed === 'string' ? parsed : parsed < 0 ? 'value is negative' : undefined;
      if (problem === undefined) return parsed as number;
      ctx.addIssue({
        code: 'custom',
        message: `Query param ${goQuote(name)} must be a valid 32-bit positive integer: ${problem}`,
      });
      return z.NEVER;
    })
    .describe(description);
}

/** Go's strconv.ParseInt(text, 10, 32): the number, or its error text. */
export function parseInt32(text: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(text)) return `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`;
  const value = Number(text);
  if (value < -2_147_483_648 || value > 2_147_483_647) {
    return `strconv.ParseInt: parsing ${goQuote(text)}: value out of range`;
  }
  return value;
}

/** The reference's pagination parameters (after_id is parsed on every list, used by some). */
export const paginationParams = {
  after_id: uuidParam('after_id', 'Cursor: the id of the last row of the previous page (not with offset).'),
  limit: positiveInt32Param('limit', 'Page size: default 100, at most 1000.'),
  offset: positiveInt32Param('offset', 'Rows to skip (not with a cursor).'),
};

/** A validated page size and offset. */
export interface PageParams {
  limit: number;
  offset: number;
}

/**
 * The reference's list rules after parsing: a cursor excludes an offset, a limit of 0 means
 * the default, and anything outside 1..max is refused.
 */
export function listPage(
  params: { limit: number; offset: number },
  cursor?: { name: string; value: string | undefined },
  max = 1000,
): PageParams {
  if (cursor?.value && params.offset !== 0) {
    throw new ApiError(
      400,
      'Query parameters have invalid values.',
      `Cannot use both ${cursor.name} and offset pagination in the same request.`,
    );
  }
  const limit = params.limit === 0 ? 100 : params.limit;
  if (limit < 1 || limit > max) {
    throw new ApiError(
      400,
      'Invalid pagination limit value.',
      `Pagination limit must be in range (0, ${max}]`,
    );
  }
  return { limit, offset: params.offset };
}
