/**
 * PostgreSQL text cannot hold NUL, and jsonb rejects `\u0000`; a prompt or tool argument that
 * carries one must still be recorded, so it is replaced by U+FFFD rather than failing the batch.
 */
function cleanText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** JSON text for a jsonb column or a json_to_recordset parameter, NUL-free (see cleanText). */
export function cleanJson(value: unknown): string {
  const json = JSON.stringify(value ?? {});
  return json.includes('\\u0000')
    ? JSON.stringify(value, (_key, v) => (typeof v === 'string' ? cleanText(v) : v))
    : json;
}
