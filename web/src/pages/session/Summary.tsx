import { useState } from 'react';
import type { Session, SessionDetail } from '../../api/types.js';
import { Cost } from '../../components/Cost.js';
import { Time } from '../../components/Time.js';
import { UserChip } from '../../components/UserChip.js';
import { formatExact, formatSpan } from '../../lib/format.js';

interface SummaryProps {
  detail: SessionDetail;
  row: Session | undefined;
  loadedThreads: number;
  toolCalls: number;
  complete: boolean;
}

/** What a phone shows before "All details": who, with what, how long, what it cost. */
const ESSENTIAL = new Set([
  'Cost',
  'User',
  'Client',
  'Duration',
  'Input tokens',
  'Output tokens',
  'Cache read',
  'Threads',
  'Tool calls',
]);

/** The session's side panel: who, with what, when, and what it cost (on phones, the essentials first). */
export function Summary({ detail, row, loadedThreads, toolCalls, complete }: SummaryProps) {
  const [expanded, setExpanded] = useState(false);
  const tokens = detail.token_usage_summary;
  const items: Array<[string, React.ReactNode]> = [
    [
      'Session',
      <code key="id" className="break">
        {detail.id}
      </code>,
    ],
    ['User', <UserChip key="user" user={detail.initiator} />],
    ['Client', detail.client || 'Unknown'],
    ['Providers', detail.providers.join(', ') || '—'],
    ['Models', detail.models.join(', ') || '—'],
    ['Started', <Time key="start" iso={detail.started_at} />],
    ['Ended', <Time key="end" iso={detail.ended_at} />],
    ['Duration', formatSpan(detail.started_at, detail.ended_at)],
    ['Cost', <Cost key="cost" micros={tokens.cost_micros} unpriced={tokens.unpriced_interceptions} />],
    ['Input tokens', formatExact(tokens.input_tokens)],
    ['Output tokens', formatExact(tokens.output_tokens)],
    ['Cache read', formatExact(tokens.cache_read_input_tokens ?? 0)],
    ['Cache write', formatExact(tokens.cache_write_input_tokens ?? 0)],
    ['Threads', formatExact(row?.threads ?? loadedThreads)],
    ['Tool calls', complete ? formatExact(toolCalls) : `${formatExact(toolCalls)}+ (so far)`],
  ];
  return (
    <aside className={expanded ? 'card summary expanded' : 'card summary'} aria-label="Session summary">
      <h2>Session summary</h2>
      <dl id="session-summary-items">
        {items.map(([term, value]) => (
          <div key={term} className={ESSENTIAL.has(term) ? 'summary-item' : 'summary-item secondary'}>
            <dt>{term}</dt>
            <dd data-testid={`summary-${term.toLowerCase().replaceAll(' ', '-')}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <button
        type="button"
        className="button button-quiet summary-toggle"
        aria-expanded={expanded}
        aria-controls="session-summary-items"
        onClick={() => setExpanded((was) => !was)}
      >
        {expanded ? 'Fewer details' : 'All details'}
      </button>
    </aside>
  );
}
