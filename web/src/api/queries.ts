import {
  keepPreviousData,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from './client.js';
import type {
  ApiKey,
  Budget,
  BudgetList,
  ConnectSettings,
  CreatedToken,
  CreateProviderRequest,
  CreateTokenRequest,
  CreateUserRequest,
  Group,
  GroupList,
  InterceptionList,
  PriceBook,
  ProviderInstance,
  ProviderKey,
  QueryOf,
  SessionDetail,
  SessionList,
  SetBudgetRequest,
  SetPriceRequest,
  Spend,
  TokenClient,
  UpdateProviderRequest,
  Usage,
  User,
  UserList,
  ValueList,
} from './types.js';

/** Rows per page on the list pages. */
export const PAGE_SIZE = 25;
/** Threads per page on the session timeline, as the reference loads them. */
export const THREAD_PAGE_SIZE = 20;

/** The signed-in user; everything role-dependent reads this. */
export function useMe(token: string | null) {
  return useQuery({
    queryKey: ['me', token],
    queryFn: () => api<User>('users/me'),
    enabled: Boolean(token),
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * The cursor after a session: its initiator and its id, since two users may share a client
 * session id (the API takes them as `after_initiator_id` and `after_session_id`).
 */
export function sessionCursor(session: { id: string; initiator: { id: string } }): string {
  return `${session.initiator.id}:${session.id}`;
}

function cursorParams(cursor: string | undefined): QueryOf<'/api/v2/aibridge/sessions'> {
  if (!cursor) return {};
  const colon = cursor.indexOf(':');
  // A bare id (an older bookmark) still works for ids nobody shares.
  if (colon === -1) return { after_session_id: cursor };
  return { after_initiator_id: cursor.slice(0, colon), after_session_id: cursor.slice(colon + 1) };
}

/** One page of sessions for a `q`, after a cursor made by sessionCursor (also used to prefetch it). */
export function sessionsQuery(q: string, after: string | undefined) {
  return queryOptions({
    queryKey: ['sessions', q, after],
    queryFn: () =>
      api<SessionList>('aibridge/sessions', {
        params: {
          q,
          limit: PAGE_SIZE,
          ...cursorParams(after),
        } satisfies QueryOf<'/api/v2/aibridge/sessions'>,
      }),
  });
}

/** The sessions page's list; the previous page stays up (dimmed) while the next loads. */
export function useSessions(q: string, after: string | undefined) {
  return useQuery({ ...sessionsQuery(q, after), placeholderData: keepPreviousData });
}

/** The list row of one session: thread count and last activity the detail endpoint lacks. */
export function useSessionRow(id: string, initiator: string | undefined) {
  const q = [`session_id:"${id.replaceAll('"', '')}"`, initiator ? `initiator:${initiator}` : '']
    .filter(Boolean)
    .join(' ');
  return useQuery({
    queryKey: ['sessions', q, 'row'],
    queryFn: () =>
      api<SessionList>('aibridge/sessions', {
        params: { q, limit: 1 } satisfies QueryOf<'/api/v2/aibridge/sessions'>,
      }),
    select: (list) => list.sessions[0],
  });
}

/** A session's threads, page by page (oldest first), for the infinite timeline. */
export function useSessionThreads(id: string, initiator: string | undefined) {
  return useInfiniteQuery({
    queryKey: ['session', id, initiator],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<SessionDetail>(`aibridge/sessions/${encodeURIComponent(id)}`, {
        params: {
          limit: THREAD_PAGE_SIZE,
          after_id: pageParam,
          initiator,
        } satisfies QueryOf<'/api/v2/aibridge/sessions/{session_id}'>,
      }),
    getNextPageParam: (page) =>
      page.threads.length < THREAD_PAGE_SIZE ? undefined : page.threads[page.threads.length - 1]?.id,
  });
}

/** One page of interceptions for a `q`, after a cursor. */
export function useInterceptions(q: string, after: string | undefined) {
  return useQuery({
    queryKey: ['interceptions', q, after],
    queryFn: () =>
      api<InterceptionList>('aibridge/interceptions', {
        params: { q, limit: PAGE_SIZE, after_id: after } satisfies QueryOf<'/api/v2/aibridge/interceptions'>,
      }),
    placeholderData: keepPreviousData,
  });
}

/** The aggregate behind the usage charts (also used to fetch it while the charts' code loads). */
export function usageQuery(q: string, bucket: 'hour' | 'day', tz: string) {
  return queryOptions({
    queryKey: ['usage', q, bucket, tz],
    queryFn: () =>
      api<Usage>('aibridge/usage', { params: { q, bucket, tz } satisfies QueryOf<'/api/v2/aibridge/usage'> }),
  });
}

/** The usage page's aggregate; the previous one stays up while a new range loads. */
export function useUsage(q: string, bucket: 'hour' | 'day', tz: string) {
  return useQuery({ ...usageQuery(q, bucket, tz), placeholderData: keepPreviousData });
}

/** Distinct values for the filter pickers; an error simply leaves the picker empty. */
export function useDistinct(resource: 'models' | 'clients') {
  return useQuery({
    queryKey: ['distinct', resource],
    queryFn: () =>
      api<ValueList>(`aibridge/${resource}`, {
        params: { limit: 1000 } satisfies QueryOf<`/api/v2/aibridge/${typeof resource}`>,
      }),
    staleTime: 60_000,
    retry: false,
  });
}

/** Users, for owners' and auditors' pickers and the users page. */
export function useUsers(enabled: boolean) {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => api<UserList>('users', { params: { limit: 1000 } satisfies QueryOf<'/api/v2/users'> }),
    enabled,
    staleTime: 30_000,
  });
}

/** Provider instances (owners), for the providers page; they change rarely. */
export function useProviders() {
  return useQuery({
    queryKey: ['providers'],
    queryFn: () => api<ProviderInstance[]>('aibridge/providers'),
    staleTime: 30_000,
  });
}

/** A user's token metadata (never secrets), for the tokens panel. */
export function useKeys(userId: string) {
  return useQuery({
    queryKey: ['keys', userId],
    queryFn: () => api<ApiKey[]>(`users/${userId}/keys`),
  });
}

/** The server's public URL and provider routes, for the connect page's snippets. */
export function useConnectSettings() {
  return useQuery({
    queryKey: ['connect'],
    queryFn: () => api<ConnectSettings>('connect'),
    staleTime: 60_000,
  });
}

/**
 * Which clients used the user's tokens; polled, so a person who just ran a snippet sees it
 * arrive (the server writes uses in batches, about every 10 s).
 */
export function useTokenClients(userId: string) {
  return useQuery({
    queryKey: ['keys', userId, 'clients'],
    queryFn: async () => (await api<{ clients: TokenClient[] }>(`users/${userId}/keys/clients`)).clients,
    refetchInterval: 10_000,
  });
}

/** Creates a user; the users list refreshes. */
export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => api<User>('users', { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

/** Issues a token (its secret is in the answer, once); the token list refreshes. */
export function useCreateKey(userId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTokenRequest) =>
      api<CreatedToken>(`users/${userId}/keys`, { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['keys', userId] }),
  });
}

/** Revokes a token; the token list refreshes. */
export function useRevokeKey(userId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api<void>(`users/${userId}/keys/${keyId}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['keys', userId] }),
  });
}

/** The spend report for one grouping and `q`. */
export function useSpend(groupBy: 'user' | 'model' | 'provider' | 'client' | 'day', q: string) {
  return useQuery({
    queryKey: ['spend', groupBy, q],
    queryFn: () =>
      api<Spend>('aibridge/spend', {
        params: { group_by: groupBy, q } satisfies QueryOf<'/api/v2/aibridge/spend'>,
      }),
    placeholderData: keepPreviousData,
  });
}

/** The price book: where the unpriced models are listed. */
export function usePriceBook() {
  return useQuery({
    queryKey: ['prices'],
    queryFn: () => api<PriceBook>('aibridge/prices'),
    staleTime: 30_000,
  });
}

/** Budgets with their current period: everyone's (owners, auditors) or the caller's own. */
export function useBudgets(everyone: boolean) {
  return useQuery({
    queryKey: ['budgets', everyone ? 'all' : 'me'],
    queryFn: () => api<BudgetList>(everyone ? 'aibridge/budgets' : 'aibridge/budgets/me'),
  });
}

/** Creates a budget, or sets the limit of the one with the same subject, period and scope. */
export function useSetBudget() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SetBudgetRequest) => api<Budget>('aibridge/budgets', { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['budgets'] }),
  });
}

/** Deletes a budget (owners). */
export function useDeleteBudget() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`aibridge/budgets/${id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['budgets'] }),
  });
}

/** Adds a price override (owners); the book and the spend report are read again. */
export function useSetPrice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SetPriceRequest) => api<unknown>('aibridge/prices', { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['prices'] }),
  });
}

/** Groups: all of them (owners, auditors) or the caller's own (members), with members. */
export function useGroups() {
  return useQuery({ queryKey: ['groups'], queryFn: () => api<GroupList>('groups') });
}

/** Group changes (owners): create, rename, limits, delete, add and remove a member; the list refreshes. */
export function useGroupChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: GroupChange) => api<Group | undefined>(change.path, change.init),
    onSuccess: () => client.invalidateQueries({ queryKey: ['groups'] }),
  });
}

/** One request against the groups API, built by the helpers below. */
type GroupChange = { path: string; init: { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown } };

/** The requests the groups page makes, so the page never spells out a path. */
export const groupChanges = {
  create: (name: string): GroupChange => ({ path: 'groups', init: { method: 'POST', body: { name } } }),
  rename: (id: string, name: string): GroupChange => ({
    path: `groups/${id}`,
    init: { method: 'PUT', body: { name } },
  }),
  remove: (id: string): GroupChange => ({ path: `groups/${id}`, init: { method: 'DELETE' } }),
  /** The group's shared limits per minute; null clears one. */
  limits: (id: string, requestsPerMinute: number | null, tokensPerMinute: number | null): GroupChange => ({
    path: `groups/${id}`,
    init: {
      method: 'PATCH',
      body: { requests_per_minute: requestsPerMinute, tokens_per_minute: tokensPerMinute },
    },
  }),
  member: (id: string, userId: string, add: boolean): GroupChange => ({
    path: `groups/${id}/members/${userId}`,
    init: { method: add ? 'PUT' : 'DELETE' },
  }),
};

/** Creates a provider instance (owners); keys go in plain and only their hints come back. */
export function useCreateProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProviderRequest) =>
      api<ProviderInstance>('aibridge/providers', { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['providers'] }),
  });
}

/** Changes a provider instance; `keys`, when sent, replaces all of its keys. */
export function useUpdateProvider(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProviderRequest) =>
      api<ProviderInstance>(`aibridge/providers/${name}`, { method: 'PATCH', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['providers'] }),
  });
}

/** An instance's keys with their state and last use (owners); polled, since the gateway changes them. */
export function useProviderKeys(name: string) {
  return useQuery({
    queryKey: ['provider-keys', name],
    queryFn: () => api<ProviderKey[]>(`aibridge/providers/${name}/keys`),
    refetchInterval: 10_000,
  });
}

/** Adds one key to an instance, or removes one by id; the other keys keep their state. */
export function useProviderKeyChange(name: string) {
  const client = useQueryClient();
  const onSuccess = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['provider-keys', name] }),
      client.invalidateQueries({ queryKey: ['providers'] }),
    ]);
  return {
    add: useMutation({
      mutationFn: (key: string) =>
        api<unknown>(`aibridge/providers/${name}/keys`, { method: 'POST', body: { key } }),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: (id: string) => api<void>(`aibridge/providers/${name}/keys/${id}`, { method: 'DELETE' }),
      onSuccess,
    }),
  };
}

/** Deletes a provider instance (owners); its route stops serving. */
export function useDeleteProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<void>(`aibridge/providers/${name}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['providers'] }),
  });
}
