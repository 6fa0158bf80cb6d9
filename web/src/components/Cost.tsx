import { formatCost, formatExact } from '../lib/format.js';

/**
 * A sum of costs as money, and how many interceptions it leaves out for want of a price, so a
 * partial sum is never mistaken for the whole (the Prices page says how to set one).
 */
export function Cost({ micros, unpriced = 0 }: { micros: number | null; unpriced?: number }) {
  const title = unpriced
    ? `${formatExact(unpriced)} interception${unpriced === 1 ? '' : 's'} without a price, not included`
    : undefined;
  return (
    <span className="num cost" title={title} data-cost-micros={micros ?? ''}>
      {unpriced && !micros ? '—' : formatCost(micros)}
      {unpriced ? <span className="muted"> +{formatExact(unpriced)} unpriced</span> : null}
    </span>
  );
}
