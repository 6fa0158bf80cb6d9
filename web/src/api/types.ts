/**
 * The REST API's JSON, as coder-aibridge.md §3 and the OpenAPI document describe it.
 * Fields the reference omits when empty are optional here.
 */

export type Json = Record<string, unknown>;

/** The initiator embedded in interceptions, sessions and usage rows (MinimalUser). */
export interface MinimalUser {
  id: string;
  username: string;
  name?: string;
  avatar_url?: string;
}

/** Input, output and cache counts; the cache fields are absent on older servers. */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_write_input_tokens?: number;
}

export interface TokenUsage extends TokenCounts {
  id: string;
  interception_id: string;
  provider_response_id: string;
  metadata: Json | null;
  created_at: string;
}

export interface UserPrompt {
  id: string;
  interception_id: string;
  provider_response_id: string;
  prompt: string;
  metadata: Json | null;
  created_at: string;
}

export interface ToolUsage {
  id: string;
  interception_id: string;
  provider_response_id: string;
  server_url: string;
  tool: string;
  /** JSON text of the arguments. */
  input: string;
  injected: boolean;
  invocation_error: string;
  metadata: Json | null;
  created_at: string;
}

export interface Interception {
  id: string;
  api_key_id: string | null;
  initiator: MinimalUser;
  provider: string;
  provider_name?: string;
  model: string;
  client: string | null;
  metadata: Json | null;
  started_at: string;
  ended_at: string | null;
  token_usages: TokenUsage[];
  user_prompts: UserPrompt[];
  tool_usages: ToolUsage[];
}

export interface InterceptionList {
  count: number;
  results: Interception[];
}

/** What a session's list row and its detail both say about it. */
interface SessionHeader {
  id: string;
  initiator: MinimalUser;
  providers: string[];
  models: string[];
  client?: string | null;
  metadata: Json | null;
  started_at: string;
  ended_at?: string;
}

export interface Session extends SessionHeader {
  /** Latest interception start: what the list is ordered by. */
  last_active_at?: string;
  threads: number;
  token_usage_summary: TokenCounts;
  last_prompt?: string;
}

export interface SessionList {
  count: number;
  sessions: Session[];
}

/** Token totals with the summed numeric metadata the detail endpoint adds. */
export interface DetailTokenUsage extends TokenCounts {
  metadata?: Record<string, number>;
}

export interface ToolCall {
  id: string;
  interception_id: string;
  provider_response_id: string;
  server_url: string;
  tool: string;
  injected: boolean;
  input: string;
  /** Only injected tools are invoked by the gateway; set when that failed. */
  invocation_error?: string;
  metadata: Json | null;
  created_at: string;
}

/** One interception of a thread's agentic loop that made tool calls. */
export interface AgenticAction {
  model: string;
  token_usage: DetailTokenUsage;
  thinking: Array<{ text: string }>;
  tool_calls: ToolCall[];
}

/** One human prompt and the loop it started. */
export interface Thread {
  id: string;
  prompt?: string;
  model: string;
  provider: string;
  started_at: string;
  ended_at?: string;
  token_usage: DetailTokenUsage;
  agentic_actions: AgenticAction[];
}

export interface SessionDetail extends SessionHeader {
  page_started_at?: string;
  page_ended_at?: string;
  token_usage_summary: DetailTokenUsage;
  threads: Thread[];
}

export type Role = 'owner' | 'auditor' | 'member';

export interface User {
  id: string;
  username: string;
  name: string;
  avatar_url: string;
  role: Role;
  status: 'active' | 'deleted';
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

export interface UserList {
  users: User[];
  count: number;
}

export interface ApiKey {
  id: string;
  user_id: string;
  token_name: string;
  lifetime_seconds: number;
  expires_at: string;
  last_used: string | null;
  created_at: string;
}

export interface UsageTotals {
  interceptions: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}

export interface Usage {
  bucket: 'hour' | 'day';
  time_zone: string;
  totals: UsageTotals;
  series: Array<UsageTotals & { bucket_start: string }>;
  by_model: Array<UsageTotals & { provider: string; model: string }>;
  by_client: Array<UsageTotals & { client: string }>;
  by_user: Array<UsageTotals & { initiator: MinimalUser }>;
}

/** The reference error envelope. */
export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: Array<{ field: string; detail: string }>;
}
