/**
 * The `q` search string the management API takes (coder-aibridge.md §2.1): space-separated
 * `key:value` elements, values quoted when they hold spaces or colons. The filter bar edits
 * one key at a time and leaves everything else the person typed alone.
 */

/** One element of a `q` string: `key:value`, or a word without a key. */
export interface QueryElement {
  key: string | undefined;
  value: string;
}

/** Splits on spaces except inside double quotes, then each element at its first unquoted colon. */
export function parseQuery(q: string): QueryElement[] {
  const tokens = q.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
  return tokens.map((token) => {
    const colon = unquotedColon(token);
    if (colon <= 0) return { key: undefined, value: unquote(token) };
    return { key: token.slice(0, colon).toLowerCase(), value: unquote(token.slice(colon + 1)) };
  });
}

/** Writes elements back, quoting values that need it. */
export function formatQuery(elements: QueryElement[]): string {
  return elements
    .filter((element) => element.value !== '')
    .map(({ key, value }) => (key ? `${key}:${quoteValue(value)}` : quoteValue(value)))
    .join(' ');
}

/** The value of `key` in `q`, if set. */
export function getQueryValue(q: string, key: string): string | undefined {
  return parseQuery(q).find((element) => element.key === key)?.value;
}

/** `q` with `key` set to `value` (replacing any earlier value), or removed when value is empty. */
export function setQueryValue(q: string, key: string, value: string | undefined): string {
  const rest = parseQuery(q).filter((element) => element.key !== key);
  if (value) rest.push({ key, value });
  return formatQuery(rest);
}

/** Joins several `q` strings into one, skipping empty ones. */
export function joinQueries(...parts: Array<string | undefined>): string {
  return parts
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

function unquotedColon(token: string): number {
  let quoted = false;
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '"') quoted = !quoted;
    else if (token[i] === ':' && !quoted) return i;
  }
  return -1;
}

function unquote(text: string): string {
  return text.replaceAll('"', '');
}

function quoteValue(value: string): string {
  return /[\s:]/.test(value) ? `"${value}"` : value;
}
