import type { Insertable, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** A tool call the model made; `provider_tool_call_id` links the next request into the same thread. */
export interface ToolUsagesTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  provider_tool_call_id: string | null;
  /** NULL for client-defined tools; the MCP server URL for injected ones. */
  server_url: string | null;
  tool: string;
  /** JSON text of the arguments, as the model produced them. */
  input: string;
  injected: boolean;
  invocation_error: string | null;
  metadata: JsonObject | null;
  created_at: Date;
}

export type ToolUsageRow = Selectable<ToolUsagesTable>;
export type NewToolUsage = Insertable<ToolUsagesTable>;
