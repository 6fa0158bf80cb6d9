/** Case-insensitive text search used by the session timeline's search box. */

/** How many times `needle` occurs in `haystack`, ignoring case (0 for an empty needle). */
export function countMatches(haystack: string, needle: string): number {
  if (!needle) return 0;
  const text = haystack.toLowerCase();
  const target = needle.toLowerCase();
  let count = 0;
  for (let at = text.indexOf(target); at !== -1; at = text.indexOf(target, at + target.length)) count++;
  return count;
}

/** Splits text into runs that do and do not match, for highlighting. */
export function splitMatches(text: string, needle: string): Array<{ text: string; match: boolean }> {
  if (!needle) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const target = needle.toLowerCase();
  const parts: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = lower.indexOf(target); at !== -1; at = lower.indexOf(target, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + target.length), match: true });
    from = at + target.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}
