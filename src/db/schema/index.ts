import type { ActivityCountsTable } from './activity-counts.js';
import type { ApiKeysTable } from './api-keys.js';
import type { AuditLogTable } from './audit-log.js';
import type { BrowserSessionsTable } from './browser-sessions.js';
import type { BudgetsTable, BudgetUsageTable } from './budgets.js';
import type { GroupMembersTable, GroupsTable } from './groups.js';
import type { InterceptionsTable } from './interceptions.js';
import type { ModelThoughtsTable } from './model-thoughts.js';
import type { PriceOverridesTable } from './price-overrides.js';
import type { ProvidersTable } from './providers.js';
import type { AuthVersionTable, RateLimitsTable, ReplicasTable } from './replicas.js';
import type { SessionsTable } from './sessions.js';
import type { TokenClientsTable } from './token-clients.js';
import type { TokenUsagesTable } from './token-usages.js';
import type { ToolUsagesTable } from './tool-usages.js';
import type { UsageHourlyTable } from './usage-hourly.js';
import type { UserPromptsTable } from './user-prompts.js';
import type { UsersTable } from './users.js';

export type { ApiKeyRow } from './api-keys.js';
export type { AuditLogRow } from './audit-log.js';
export type { BrowserSessionRow, SessionMethod } from './browser-sessions.js';
export type { BudgetPeriod, BudgetRow, BudgetSubjectKind } from './budgets.js';
export type { GroupRow } from './groups.js';
export type { InterceptionRow, JsonObject, NewInterception } from './interceptions.js';
export type { ModelThoughtRow, NewModelThought } from './model-thoughts.js';
export type { PriceOverrideRow } from './price-overrides.js';
export type { ProviderRow, StoredKey } from './providers.js';
export type { TokenClientRow } from './token-clients.js';
export type { NewTokenUsage, TokenUsageRow } from './token-usages.js';
export type { NewToolUsage, ToolUsageRow } from './tool-usages.js';
export type { NewUserPrompt, UserPromptRow } from './user-prompts.js';
export type { Role, UserRow } from './users.js';

/** Every table Kysely may touch, keyed by table name. */
export interface Schema {
  users: UsersTable;
  browser_sessions: BrowserSessionsTable;
  api_keys: ApiKeysTable;
  aibridge_interceptions: InterceptionsTable;
  aibridge_token_usages: TokenUsagesTable;
  aibridge_user_prompts: UserPromptsTable;
  aibridge_tool_usages: ToolUsagesTable;
  aibridge_model_thoughts: ModelThoughtsTable;
  aibridge_sessions: SessionsTable;
  aibridge_activity_counts: ActivityCountsTable;
  aibridge_usage_hourly: UsageHourlyTable;
  aibridge_providers: ProvidersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  aibridge_budgets: BudgetsTable;
  aibridge_budget_usage: BudgetUsageTable;
  aibridge_price_overrides: PriceOverridesTable;
  aibridge_token_clients: TokenClientsTable;
  aibridge_audit_log: AuditLogTable;
  aibridge_rate_limits: RateLimitsTable;
  aibridge_replicas: ReplicasTable;
  aibridge_auth_version: AuthVersionTable;
}
