import type { AgenticAction, Thread } from '../../api/types.js';
import { Cost } from '../../components/Cost.js';
import { Highlight } from '../../components/Highlight.js';
import { Time } from '../../components/Time.js';
import { Tokens } from '../../components/Tokens.js';
import { ToolCallView } from '../../components/ToolCallView.js';
import { formatSpan } from '../../lib/format.js';

/** One thread: the human's prompt, then each step of the agentic loop it started. */
export function ThreadView({ thread, index, search }: { thread: Thread; index: number; search: string }) {
  return (
    <article className="card thread" aria-labelledby={`thread-${thread.id}`}>
      <header className="thread-head">
        <h3 id={`thread-${thread.id}`}>Thread {index + 1}</h3>
        <span className="muted small">
          <Time iso={thread.started_at} /> · {formatSpan(thread.started_at, thread.ended_at)} · {thread.model}
        </span>
        <Tokens usage={thread.token_usage} />
        <Cost micros={thread.token_usage.cost_micros} unpriced={thread.token_usage.unpriced_interceptions} />
      </header>
      <div className="thread-prompt">
        {thread.prompt ? (
          <pre className="prompt-text">
            <Highlight text={thread.prompt} search={search} />
          </pre>
        ) : (
          <p className="muted">(no prompt recorded)</p>
        )}
      </div>
      {thread.agentic_actions.length > 0 ? (
        <ol className="steps">
          {thread.agentic_actions.map((action, step) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id and never reorder.
            <Step key={step} action={action} step={step} search={search} />
          ))}
        </ol>
      ) : (
        <p className="muted small">No tool calls in this thread.</p>
      )}
    </article>
  );
}

function Step({ action, step, search }: { action: AgenticAction; step: number; search: string }) {
  const thoughts = action.thinking.map((t) => t.text).filter(Boolean);
  const thinkingMatches = search && thoughts.some((t) => t.toLowerCase().includes(search.toLowerCase()));
  return (
    <li className="step">
      <div className="step-head">
        <span className="step-number">Step {step + 1}</span>
        <span className="badge">{action.model}</span>
        <Tokens usage={action.token_usage} />
        <Cost micros={action.token_usage.cost_micros} unpriced={action.token_usage.unpriced_interceptions} />
      </div>
      {thoughts.length > 0 ? (
        // Open when the search found something inside, so the match is visible.
        <details className="thinking" open={Boolean(thinkingMatches) || undefined}>
          <summary>Thinking</summary>
          {thoughts.map((text, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: thoughts have no id and never reorder.
            <p key={i} className="thinking-text">
              <Highlight text={text} search={search} />
            </p>
          ))}
        </details>
      ) : null}
      {action.tool_calls.map((call) => (
        <ToolCallView key={call.id} call={call} search={search} />
      ))}
    </li>
  );
}
