import type { Kysely } from 'kysely';
import type { PriceOverrideRow, Schema } from '../db/schema/index.js';
import type { OverrideRates } from '../pricing/override-rates.js';
import { uuidv7 } from '../recorder/uuid7.js';

/** What an owner writes: the model (and optionally the provider), from when, at what rates. */
export interface PriceOverrideInput {
  provider: string | null;
  model: string;
  effectiveFrom: Date;
  rates: OverrideRates;
  note: string;
}

/** The price overrides table: few rows, read whole by each replica's cache. */
export class PriceOverrides {
  constructor(private readonly db: Kysely<Schema>) {}

  list(): Promise<PriceOverrideRow[]> {
    return this.db
      .selectFrom('aibridge_price_overrides')
      .selectAll()
      .orderBy('model')
      .orderBy('effective_from')
      .orderBy('id')
      .execute();
  }

  find(id: string): Promise<PriceOverrideRow | undefined> {
    return this.db.selectFrom('aibridge_price_overrides').selectAll().where('id', '=', id).executeTakeFirst();
  }

  create(input: PriceOverrideInput, createdBy: string): Promise<PriceOverrideRow> {
    return this.db
      .insertInto('aibridge_price_overrides')
      .values({
        id: uuidv7(),
        provider: input.provider,
        model: input.model,
        effective_from: input.effectiveFrom,
        rates: input.rates,
        note: input.note,
        created_by: createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(id: string, input: PriceOverrideInput): Promise<PriceOverrideRow | undefined> {
    return this.db
      .updateTable('aibridge_price_overrides')
      .set({
        provider: input.provider,
        model: input.model,
        effective_from: input.effectiveFrom,
        rates: input.rates,
        note: input.note,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('aibridge_price_overrides')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
