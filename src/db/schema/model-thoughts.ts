import type { Insertable, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** Model thinking / reasoning summaries; the reference schema gives these rows no id. */
export interface ModelThoughtsTable {
  interception_id: string;
  content: string;
  metadata: JsonObject | null;
  created_at: Date;
}

export type ModelThoughtRow = Selectable<ModelThoughtsTable>;
export type NewModelThought = Insertable<ModelThoughtsTable>;
