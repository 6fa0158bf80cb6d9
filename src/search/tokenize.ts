import type { Validation } from '../errors.js';
import { goQuote } from './go-quote.js';

/** `key → values` in the order keys first appeared, as Go's url.Values collects them. */
export type SearchValues = Map<string, string[]>;

/**
 * What a term without `key:` means on an endpoint: the key it fills, or (sessions) an error
 * text because the endpoint wants every term spelled out.
 */
export type BareTerm = { key: string } | { error: string };

/** The terms of a `q` string, or the one tokenisation error the reference reports. */
export type Terms = { ok: true; values: SearchValues } | { ok: false; validations: Validation[] };

/**
 * Splits `q` exactly as the reference does: on spaces outside double quotes; every token with
 * a `:` is one `key:value` element, all other tokens are joined by single spaces into one bare
 * term (handled last). Keys are lower-cased, values keep their case and lose surrounding quotes.
 * The first malformed element stops parsing, as in the reference.
 */
export function searchTerms(query: string, bareTerm: BareTerm): Terms {
  const values: SearchValues = new Map();
  for (const element of groupElements(splitOutsideQuotes(query, ' ', true))) {
    if (element.startsWith(':') || element.endsWith(':')) {
      return fail(`Query element ${goQuote(element)} cannot start or end with ':'`);
    }
    const parts = splitOutsideQuotes(element, ':', false);
    if (parts.length === 1) {
      if ('error' in bareTerm) return fail(bareTerm.error);
      add(values, bareTerm.key, element);
    } else if (parts.length === 2) {
      add(values, (parts[0] as string).toLowerCase(), parts[1] as string);
    } else {
      return fail(`Query element ${goQuote(element)} can only contain 1 ':'`);
    }
  }
  return { ok: true, values };
}

/**
 * Go's FieldsFunc over runes with a quote toggle: the delimiter splits only outside double
 * quotes, empty fields vanish, and (unless kept) leading and trailing quotes are trimmed.
 */
export function splitOutsideQuotes(text: string, delimiter: string, keepQuotes: boolean): string[] {
  const fields: string[] = [];
  let quoted = false;
  let field = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === delimiter) {
      if (field) fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  if (field) fields.push(field);
  return keepQuotes ? fields : fields.map((f) => f.replace(/^"+|"+$/g, ''));
}

function groupElements(tokens: string[]): string[] {
  const elements = tokens.filter((t) => t.includes(':'));
  const bare = tokens.filter((t) => !t.includes(':'));
  if (bare.length > 0) elements.push(bare.join(' '));
  return elements;
}

function add(values: SearchValues, key: string, value: string): void {
  const list = values.get(key);
  if (list) list.push(value);
  else values.set(key, [value]);
}

function fail(detail: string): Terms {
  return { ok: false, validations: [{ field: 'q', detail }] };
}
