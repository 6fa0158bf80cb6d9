import type { Migration } from 'kysely';
import * as initial from './20261128T130000_initial.js';
import * as managementApiIndexes from './20261128T150000_management_api_indexes.js';
import * as sessionSummaries from './20261128T170000_session_summaries.js';
import * as usageHourly from './20261128T190000_usage_hourly.js';
import * as triggerTransitionTables from './20261128T210000_trigger_transition_tables.js';
import * as dropSupersededIndexes from './20261128T220000_drop_superseded_indexes.js';
import * as lz4TextCompression from './20261128T230000_lz4_text_compression.js';
import * as cost from './20261206T010000_cost.js';
import * as priceOverrides from './20261206T010100_price_overrides.js';
import * as spoolReplays from './20261206T020000_spool_replays.js';
import * as openInterceptionsIndex from './20261206T020100_open_interceptions_index.js';
import * as providerInstances from './20261206T030000_provider_instances.js';
import * as groups from './20261206T040000_groups.js';
import * as budgets from './20261206T041000_budgets.js';
import * as conversationFingerprint from './20261206T050000_conversation_fingerprint.js';
import * as browserSessions from './20261208T010000_browser_sessions.js';
import * as auditLog from './20261208T020000_audit_log.js';
import * as tokenClients from './20261208T030000_token_clients.js';
import * as replicaLimits from './20261208T040000_replica_limits.js';
import * as groupLimits from './20261209T020000_group_limits.js';

/**
 * Every migration, by timestamped name. Listed statically (not read from a folder) so the
 * built server needs no file-system scan and a missing file is a compile error.
 */
export const migrations: Record<string, Migration> = {
  '20261128T130000_initial': initial,
  '20261128T150000_management_api_indexes': managementApiIndexes,
  '20261128T170000_session_summaries': sessionSummaries,
  '20261128T190000_usage_hourly': usageHourly,
  '20261128T210000_trigger_transition_tables': triggerTransitionTables,
  '20261128T220000_drop_superseded_indexes': dropSupersededIndexes,
  '20261128T230000_lz4_text_compression': lz4TextCompression,
  '20261206T010000_cost': cost,
  '20261206T010100_price_overrides': priceOverrides,
  '20261206T020000_spool_replays': spoolReplays,
  '20261206T020100_open_interceptions_index': openInterceptionsIndex,
  '20261206T030000_provider_instances': providerInstances,
  '20261206T040000_groups': groups,
  '20261206T041000_budgets': budgets,
  '20261206T050000_conversation_fingerprint': conversationFingerprint,
  '20261208T010000_browser_sessions': browserSessions,
  '20261208T020000_audit_log': auditLog,
  '20261208T030000_token_clients': tokenClients,
  '20261208T040000_replica_limits': replicaLimits,
  '20261209T020000_group_limits': groupLimits,
};
