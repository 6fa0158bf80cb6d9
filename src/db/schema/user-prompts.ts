import type { Insertable, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** The human's prompt that an interception carried (at most one per interception). */
export interface UserPromptsTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  prompt: string;
  metadata: JsonObject | null;
  created_at: Date;
}

export type UserPromptRow = Selectable<UserPromptsTable>;
export type NewUserPrompt = Insertable<UserPromptsTable>;
