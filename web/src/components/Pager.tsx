import { formatExact } from '../lib/format.js';

interface PagerProps {
  /** Zero-based page index. */
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  hasNext: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
}

/** "26–50 of 1,234" with First / Previous / Next for cursor pagination. */
export function Pager(props: PagerProps) {
  const from = props.page * props.pageSize + (props.shown ? 1 : 0);
  const to = props.page * props.pageSize + props.shown;
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted">
        {formatExact(from)}–{formatExact(to)} of {formatExact(props.total)}
      </span>
      <span className="pager-buttons">
        <button type="button" className="button" onClick={props.onFirst} disabled={props.page === 0}>
          First
        </button>
        <button type="button" className="button" onClick={props.onPrevious} disabled={props.page === 0}>
          Previous
        </button>
        <button type="button" className="button" onClick={props.onNext} disabled={!props.hasNext}>
          Next
        </button>
      </span>
    </nav>
  );
}
