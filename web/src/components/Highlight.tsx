import { Fragment } from 'react';
import { splitMatches } from '../lib/search.js';

/** Text with every case-insensitive occurrence of `search` marked. */
export function Highlight({ text, search }: { text: string; search: string }) {
  if (!search) return <>{text}</>;
  return (
    <>
      {splitMatches(text, search).map((part, index) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: parts are positional and never reorder.
        part.match ? <mark key={index}>{part.text}</mark> : <Fragment key={index}>{part.text}</Fragment>,
      )}
    </>
  );
}
