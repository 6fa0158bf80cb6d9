import type { Snippet } from '../../../../src/connect/snippets.js';
import { CopyButton } from '../../components/CopyButton.js';

/** One copyable piece of setup: what it is, where it goes, the text, and a copy button. */
export function SnippetCard({ snippet }: { snippet: Snippet }) {
  const titleId = `snippet-${snippet.id}-title`;
  return (
    <figure className="snippet" aria-labelledby={titleId}>
      <figcaption className="snippet-head">
        <span id={titleId}>
          <strong>{snippet.title}</strong>
          {snippet.file ? (
            <>
              {' '}
              <span className="muted">in</span> <code>{snippet.file}</code>
            </>
          ) : null}
        </span>
        <CopyButton text={snippet.text} />
      </figcaption>
      <pre className="code snippet-code" data-testid={`snippet-${snippet.id}`}>
        <code>{snippet.text}</code>
      </pre>
      {snippet.note ? <p className="muted snippet-note">{snippet.note}</p> : null}
    </figure>
  );
}
