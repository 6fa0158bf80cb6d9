/**
 * Bounds the values one metric label can take. Labels such as the model or a tool name come
 * from the client: each distinct value would be a new series kept for ever (5,000 made-up model
 * names grew /metrics to 24 MB). The first `max` distinct values keep their name; later ones
 * are counted as `other`, so the series stay bounded whatever clients send.
 */
export class LabelBudget {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  bounded(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || value.length > MAX_LABEL_LENGTH) return OTHER;
    this.seen.add(value);
    return value;
  }
}

/** The label value standing for every value that does not get its own. */
export const OTHER = 'other';
const MAX_LABEL_LENGTH = 100;
