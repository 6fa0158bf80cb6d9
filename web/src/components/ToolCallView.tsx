import { prettyJson } from '../lib/format.js';
import { Highlight } from './Highlight.js';

interface ToolCallLike {
  tool: string;
  input: string;
  injected: boolean;
  server_url: string;
  invocation_error?: string;
}

/** A tool call: its name, marks for injected tools and failures, and its arguments pretty-printed. */
export function ToolCallView({ call, search = '' }: { call: ToolCallLike; search?: string }) {
  return (
    <div className={`tool-call${call.invocation_error ? ' tool-call-error' : ''}`}>
      <div className="tool-call-head">
        <code className="tool-name">
          <Highlight text={call.tool} search={search} />
        </code>
        {call.injected ? (
          <span
            className="badge badge-injected"
            title={call.server_url ? `Injected by aibridge from ${call.server_url}` : 'Injected by aibridge'}
          >
            injected
          </span>
        ) : null}
        {call.invocation_error ? <span className="badge badge-error">error</span> : null}
      </div>
      {call.invocation_error ? (
        <p className="tool-error">
          <Highlight text={call.invocation_error} search={search} />
        </p>
      ) : null}
      <pre className="code">
        <Highlight text={prettyJson(call.input)} search={search} />
      </pre>
    </div>
  );
}
