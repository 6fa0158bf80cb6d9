import type { Generated, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** An owner's rate card for a model from `effective_from` on (rates as src/pricing/override-rates.ts reads them). */
export interface PriceOverridesTable {
  id: string;
  provider: string | null;
  model: string;
  effective_from: Date;
  rates: JsonObject;
  note: Generated<string>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type PriceOverrideRow = Selectable<PriceOverridesTable>;
