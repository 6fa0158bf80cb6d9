/** A UTF-16 surrogate without its other half (JSON.stringify escapes it; PostgreSQL refuses it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** How JSON.stringify writes NUL or a lone surrogate. */
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/;

/**
 * PostgreSQL text cannot hold NUL, and jsonb rejects `\u0000` and lone UTF-16 surrogates; a
 * model name, prompt or tool argument that carries one must still be recorded, so each is
 * replaced by U+FFFD rather than failing the row (or the batch).
 */
function cleanText(text: string): string {
  const noNul = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return noNul.replace(LONE_SURROGATE, '\uFFFD');
}

/** JSON text for a jsonb column or a json_to_recordset parameter PostgreSQL accepts (see cleanText). */
export function cleanJson(value: unknown): string {
  const json = JSON.stringify(value ?? {});
  return UNSTORABLE_ESCAPE.test(json)
    ? JSON.stringify(value, (_key, v) => (typeof v === 'string' ? cleanText(v) : v))
    : json;
}
