/** Longest version text kept (the column's limit). */
const MAX_VERSION = 64;

/**
 * The client's version from its User-Agent, for "Claude Code 2.1.197": the first dotted number
 * (`claude-cli/2.1.197 (external, cli)`, `codex_exec/0.171.0 …`, `OpenAI/JS 6.49.0`,
 * `opencode/1.18.33 ai-sdk/…`). For a client aibridge does not name, its first product token
 * (`curl/8.5.0`), so the person still recognises it. '' when there is nothing to show.
 */
export function clientVersion(client: string, userAgent: string | undefined): string {
  const agent = (userAgent ?? '').trim();
  if (client === 'Unknown') return (agent.split(/\s/, 1)[0] ?? '').slice(0, MAX_VERSION);
  const match = /\d+\.\d+(?:\.\d+)*(?:-[0-9A-Za-z.]+)?/.exec(agent.slice(0, 200));
  return (match?.[0] ?? '').slice(0, MAX_VERSION);
}
