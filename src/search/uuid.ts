import { goQuote } from './go-quote.js';

/** The outcome of reading a UUID: its canonical lowercase form, or Go's error text. */
export type UuidResult = { ok: true; value: string } | { ok: false; error: string };

/** The all-zero UUID, which the reference treats as "not given". */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const HEX32 = /^[0-9a-f]{32}$/i;
const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a UUID the way Go's google/uuid Parse does (the reference parses every id with it):
 * hyphenated, `{…}`, `urn:uuid:…` or 32 bare hex digits, with its exact error messages.
 */
export function parseUuid(text: string): UuidResult {
  const length = Buffer.byteLength(text, 'utf8');
  let body = text;
  switch (length) {
    case 36:
      break;
    case 45:
      if (text.slice(0, 9).toLowerCase() !== 'urn:uuid:') {
        return { ok: false, error: `invalid urn prefix: ${goQuote(text.slice(0, 9))}` };
      }
      body = text.slice(9);
      break;
    case 38:
      body = text.slice(1, 37);
      break;
    case 32:
      return HEX32.test(text) ? { ok: true, value: hyphenate(text) } : bad();
    default:
      return { ok: false, error: `invalid UUID length: ${length}` };
  }
  return HYPHENATED.test(body) ? { ok: true, value: body.toLowerCase() } : bad();
}

const bad = (): UuidResult => ({ ok: false, error: 'invalid UUID format' });

function hyphenate(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
