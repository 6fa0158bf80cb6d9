/**
 * The REST API's JSON under the names the pages use. Every type is taken from the types that
 * `npm run api:types` generates from the server's OpenAPI document, most of them through the
 * endpoint that returns them, so a schema change on the server is a type error here rather
 * than a field that silently goes missing in the browser.
 */

import type { RequestBodyOf, ResponseOf } from '../../../src/api/endpoint-types.js';
import type { components } from '../../../src/api/generated/openapi.js';

export type { QueryOf } from '../../../src/api/endpoint-types.js';

type Schemas = components['schemas'];

export type User = ResponseOf<'/api/v2/users/me'>;
export type Role = User['role'];
export type UserList = ResponseOf<'/api/v2/users'>;
export type CreateUserRequest = RequestBodyOf<'/api/v2/users', 'post'>;
export type ApiKey = ResponseOf<'/api/v2/users/{user}/keys'>[number];
export type CreateTokenRequest = RequestBodyOf<'/api/v2/users/{user}/keys', 'post'>;
export type CreatedToken = ResponseOf<'/api/v2/users/{user}/keys', 'post'>;
export type AuthMethods = ResponseOf<'/api/v2/auth/methods'>;

/** The initiator embedded in interceptions, sessions and usage rows. */
export type MinimalUser = Schemas['MinimalUser'];

/** Distinct models or clients, for the filter pickers. */
export type ValueList = ResponseOf<'/api/v2/aibridge/models'>;

export type InterceptionList = ResponseOf<'/api/v2/aibridge/interceptions'>;
export type Interception = InterceptionList['results'][number];

export type SessionList = ResponseOf<'/api/v2/aibridge/sessions'>;
export type Session = SessionList['sessions'][number];

/** One session and a page of its threads. */
export type SessionDetail = ResponseOf<'/api/v2/aibridge/sessions/{session_id}'>;
/** One human prompt and the loop it started. */
export type Thread = SessionDetail['threads'][number];
/** One interception of a thread's agentic loop that made tool calls. */
export type AgenticAction = Thread['agentic_actions'][number];

/** Input, output and cache counts, as every token total of the API carries them. */
export type TokenCounts = Schemas['AIBridgeSessionTokenUsageSummary'];

export type Usage = ResponseOf<'/api/v2/aibridge/usage'>;
export type UsageTotals = Usage['totals'];

/** The reference error envelope (codersdk.Response). */
export type ErrorBody = Schemas['Response'];
/** A provider instance as owners see it: keys as hints only. */
export type ProviderInstance = Schemas['Provider'];
/** One key of an instance with its state as the answering replica sees it (hint only). */
export type ProviderKey = Schemas['ProviderKey'];

/** The spend report and the price book (cost in integer micro-dollars). */
export type Spend = ResponseOf<'/api/v2/aibridge/spend'>;
export type PriceBook = ResponseOf<'/api/v2/aibridge/prices'>;

export type AuditList = ResponseOf<'/api/v2/audit'>;
export type AuditEntry = AuditList['entries'][number];
/** A budget and its current period (amounts as dollar strings), and what sets one. */
export type BudgetList = ResponseOf<'/api/v2/aibridge/budgets'>;
export type Budget = BudgetList['budgets'][number];
export type SetBudgetRequest = RequestBodyOf<'/api/v2/aibridge/budgets', 'post'>;
/** An owner's price override (rates in integer micro-dollars per million tokens). */
export type SetPriceRequest = RequestBodyOf<'/api/v2/aibridge/prices', 'post'>;
/** The server's public URL and the provider routes the connect page's snippets use. */
export type ConnectSettings = ResponseOf<'/api/v2/connect'>;
/** Which client last used which of a user's tokens. */
export type TokenClient = ResponseOf<'/api/v2/users/{user}/keys/clients'>['clients'][number];
/** Groups with their members, and what creates or renames one. */
export type GroupList = ResponseOf<'/api/v2/groups'>;
export type Group = GroupList['groups'][number];
/** What creates a provider instance (keys in plain, sealed by the server) or changes one. */
export type CreateProviderRequest = RequestBodyOf<'/api/v2/aibridge/providers', 'post'>;
export type UpdateProviderRequest = RequestBodyOf<'/api/v2/aibridge/providers/{name}', 'patch'>;
