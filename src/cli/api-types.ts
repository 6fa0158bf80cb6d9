import type { z } from 'zod';
import type { OverrideView, PriceBookView } from '../api/prices.js';
import type { SpendView } from '../api/spend.js';
import type { InterceptionView, SessionView } from '../api/views/aibridge.js';
import type { AuditEntryView } from '../api/views/audit.js';
import type { BudgetView } from '../api/views/budgets.js';
import type { GroupView } from '../api/views/groups.js';
import type { ProviderView } from '../api/views/providers.js';
import type { SessionThreadsView } from '../api/views/session-threads.js';
import type { ApiKeyView, UserView } from '../api/views/users.js';

/** The API's JSON shapes, as the CLI reads them (types only: derived from the server's schemas). */
export type Interception = z.infer<typeof InterceptionView>;
export type Session = z.infer<typeof SessionView>;
export type SessionDetail = z.infer<typeof SessionThreadsView>;
export type User = z.infer<typeof UserView>;
export type ApiKey = z.infer<typeof ApiKeyView>;
export type ProviderInstanceView = z.infer<typeof ProviderView>;
export type Group = z.infer<typeof GroupView>;
export type Budget = z.infer<typeof BudgetView>;
export type Spend = z.infer<typeof SpendView>;
export type PriceBook = z.infer<typeof PriceBookView>;
export type PriceOverride = z.infer<typeof OverrideView>;
export type AuditEntry = z.infer<typeof AuditEntryView>;
