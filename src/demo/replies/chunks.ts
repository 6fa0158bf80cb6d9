/** Small helpers the fake provider's stream writers share. */

/** One SSE event; `name` null writes a data-only event (Chat Completions style). */
export function sse(name: string | null, data: unknown): string {
  const json = typeof data === 'string' ? data : JSON.stringify(data);
  return `${name ? `event: ${name}\n` : ''}data: ${json}\n\n`;
}

/** Text cut into pieces of about `size` characters on word boundaries, as models stream it. */
export function chunkText(text: string, size = 16): string[] {
  if (text === '') return [];
  const pieces: string[] = [];
  let current = '';
  for (const word of text.split(/(?<=\s)/)) {
    if (current.length + word.length > size && current !== '') {
      pieces.push(current);
      current = '';
    }
    current += word;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Text cut into fixed-size pieces (tool arguments arrive as fragments of JSON). */
export function chunkChars(text: string, size = 24): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

/** Seconds since the epoch, as OpenAI's `created` fields carry it. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
