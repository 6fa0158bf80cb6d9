import { formatLocal, formatUtc } from '../lib/format.js';

/** An instant in the browser's zone, with the exact UTC time on hover. */
export function Time({ iso }: { iso: string | undefined | null }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocal(iso)}
    </time>
  );
}
