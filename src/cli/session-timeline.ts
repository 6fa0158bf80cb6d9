import type { SessionDetail } from './api-types.js';
import { fullNumber, humanDuration, localTime, oneLine, truncate } from './format.js';
import type { Terminal } from './terminal.js';

type Thread = SessionDetail['threads'][number];
type Tokens = SessionDetail['token_usage_summary'];

/** How much of the long texts the timeline shows. */
export interface TimelineOptions {
  /** Whole prompts, thoughts and tool inputs instead of a few lines cut to the width. */
  full: boolean;
  /** Threads of the session before the first one shown (when paging with cursors). */
  offset?: number;
}

const PROMPT_LINES = 8;

/**
 * A session as a person reads it: who, where and how much first, then each thread in order
 * (its prompt, each tool-calling step with its model, tokens, thinking and calls).
 */
export function renderTimeline(session: SessionDetail, terminal: Terminal, options: TimelineOptions): string {
  const c = terminal.colors;
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`  ${c.dim(name.padEnd(12))}${value}`);
  lines.push(c.bold(`Session ${session.id}`));
  const who = session.initiator;
  field('User', who.name && who.name !== who.username ? `${who.username} (${who.name})` : who.username);
  field('Client', session.client ?? 'Unknown');
  field('Providers', session.providers.join(', '));
  field('Models', session.models.join(', '));
  field('Started', localTime(session.started_at, true));
  const ended = session.ended_at
    ? `  (ended ${localTime(session.ended_at, true)}, ${humanDuration(Date.parse(session.ended_at) - Date.parse(session.started_at))})`
    : '';
  field('Last active', `${localTime(session.last_active_at, true)}${ended}`);
  field('Tokens', tokenText(session.token_usage_summary));
  field('Threads', String(session.threads.length + (options.offset ?? 0)));
  session.threads.forEach((thread, i) => {
    lines.push('', ...threadLines(thread, (options.offset ?? 0) + i + 1, terminal, options));
  });
  return `${lines.join('\n')}\n`;
}

function threadLines(thread: Thread, number: number, terminal: Terminal, options: TimelineOptions): string[] {
  const c = terminal.colors;
  const shorten = (text: string, indent: number) =>
    options.full
      ? text
      : truncate(oneLine(text), terminal.width === undefined ? 200 : terminal.width - indent);
  const took = thread.ended_at
    ? ` · ${humanDuration(Date.parse(thread.ended_at) - Date.parse(thread.started_at))}`
    : '';
  const lines = [
    c.bold(`Thread ${number}`) +
      c.dim(
        ` · ${localTime(thread.started_at, true)} · ${thread.model} (${thread.provider})${took} · ${thread.id}`,
      ),
  ];
  const prompt = (thread.prompt ?? '').split('\n');
  const shown = options.full ? prompt : prompt.slice(0, PROMPT_LINES);
  if (thread.prompt !== undefined) {
    shown.forEach((line, i) => {
      lines.push(`  ${i === 0 ? c.cyan('>') : ' '} ${line}`);
    });
    if (shown.length < prompt.length)
      lines.push(c.dim(`    … ${prompt.length - shown.length} more lines (--full)`));
  } else {
    lines.push(c.dim('  (no prompt recorded)'));
  }
  thread.agentic_actions.forEach((action, i) => {
    lines.push(
      `  ${c.yellow(`step ${i + 1}`)} ${c.dim(`· ${action.model} · ${tokenText(action.token_usage)}`)}`,
    );
    for (const thought of action.thinking)
      lines.push(`      ${c.dim(`thinking: ${shorten(thought.text, 16)}`)}`);
    for (const call of action.tool_calls) {
      const failed = call.invocation_error ? c.red(`  failed: ${oneLine(call.invocation_error)}`) : '';
      lines.push(
        `      ${c.green('→')} ${c.bold(call.tool)} ${shorten(call.input, 10 + call.tool.length)}${failed}`,
      );
    }
  });
  lines.push(`  ${c.dim(`total: ${tokenText(thread.token_usage)}`)}`);
  return lines;
}

function tokenText(t: Tokens): string {
  return `in ${fullNumber(t.input_tokens)} · out ${fullNumber(t.output_tokens)} · cache read ${fullNumber(t.cache_read_input_tokens)} · cache write ${fullNumber(t.cache_write_input_tokens)}`;
}
