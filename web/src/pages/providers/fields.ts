/**
 * The provider forms' text fields as the API takes them: headers as `Name: value` lines,
 * the model allowlist and keys one per line (blank lines ignored).
 */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** `Name: value` lines to the headers object; a line without a colon is a header with no value. */
export function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon === -1) headers[line] = '';
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The allowlist: none (every model) when the field is empty. */
export function modelsOf(text: string): string[] | null {
  const models = lines(text);
  return models.length ? models : null;
}

/** Keys from the password field: separated by commas or whitespace (a key holds neither). */
export function keysOf(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}
