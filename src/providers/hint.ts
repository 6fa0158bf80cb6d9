/**
 * What may be shown of a secret (a provider key, a person's own credential): a few characters
 * at each end, so an owner can tell keys apart without the key being revealed (`sk-…a1b2`).
 * Short secrets show less, and very short ones nothing.
 */
export function secretHint(secret: string): string {
  const s = secret.trim();
  if (s.length >= 20) return `${s.slice(0, 3)}…${s.slice(-4)}`;
  if (s.length >= 10) return `${s.slice(0, 2)}…${s.slice(-2)}`;
  if (s.length >= 5) return `${s.slice(0, 1)}…${s.slice(-1)}`;
  return '…';
}
