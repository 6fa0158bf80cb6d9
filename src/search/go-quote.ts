/**
 * Go's `%q` (strconv.Quote). The reference builds its validation messages with it, so a
 * client comparing error text sees exactly the same quoting and escapes here.
 */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) out += escapeRune(char);
  return `${out}"`;
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function escapeRune(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named) return named;
  if (PRINTABLE.test(char)) return char;
  let code = char.codePointAt(0) ?? 0xfffd;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
  return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
}

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/**
 * The time package's own quoting (used inside `parsing time "…"` errors): only `"` and `\`
 * are escaped, and bytes outside printable ASCII become `\xNN` per UTF-8 byte.
 */
export function timeQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(char, 'utf8')) out += `\\x${hex(byte, 2)}`;
    } else {
      out += char === '"' || char === '\\' ? `\\${char}` : char;
    }
  }
  return `${out}"`;
}
