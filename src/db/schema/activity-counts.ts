/**
 * Exact counters per initiator and filter value, kept by triggers: facet '' (value '') counts
 * everything, 'provider' / 'model' / 'client' one value. `sessions` counts summary rows having
 * the value, `interceptions` ended interceptions with it. Lets list counts sum a few rows.
 */
export interface ActivityCountsTable {
  initiator_id: string;
  facet: '' | 'provider' | 'model' | 'client';
  value: string;
  sessions: number;
  interceptions: number;
}
