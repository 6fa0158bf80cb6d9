import type { TokenCounts } from '../api/types.js';
import { formatCount, formatExact } from '../lib/format.js';

/** "in / out" with the cache counts under them when there are any; exact counts on hover. */
export function Tokens({ usage }: { usage: TokenCounts }) {
  const read = usage.cache_read_input_tokens ?? 0;
  const write = usage.cache_write_input_tokens ?? 0;
  const title = [
    `input ${formatExact(usage.input_tokens)}`,
    `output ${formatExact(usage.output_tokens)}`,
    `cache read ${formatExact(read)}`,
    `cache write ${formatExact(write)}`,
  ].join(', ');
  return (
    <span className="tokens" title={title}>
      <span>
        {formatCount(usage.input_tokens)} <span className="muted">/</span> {formatCount(usage.output_tokens)}
      </span>
      {read || write ? (
        <span className="tokens-cache">
          cache {formatCount(read)} read · {formatCount(write)} write
        </span>
      ) : null}
    </span>
  );
}
