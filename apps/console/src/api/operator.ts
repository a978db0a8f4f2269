import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from './client.js';

export interface ProviderWindow {
  requests: number;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  errorsByKind: Record<string, number>;
}

export interface ProviderHealth {
  provider: string;
  breaker: { state: string; openUntil: string | null; consecutiveFailures: number };
  rateLimitedUntil: string | null;
  lastFiveMinutes: ProviderWindow;
  lastHour: ProviderWindow;
  lastError: { kind: string; at: string } | null;
}

export interface ProviderBucket {
  start: string;
  requests: number;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  fallbacks: number;
  rateLimited: number;
}

export interface ProviderStats {
  from: string;
  to: string;
  bucketMinutes: number;
  providers: {
    provider: string;
    buckets: ProviderBucket[];
    breakerTransitions: { at: string; state: 'open' | 'closed'; openUntil: string | null }[];
    rateLimitedUntil: string | null;
  }[];
}

export interface AdminUser {
  id: string;
  email: string;
  name: string | null;
  role: string;
  status: string;
  createdAt: string;
  plan: { name: string; status: string; billingCycle: string; currentPeriodStart: string } | null;
  apiKeys: {
    id: string;
    name: string;
    prefix: string;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  }[];
}

export interface Plan {
  id: string;
  name: string;
  description: string | null;
  monthlyPrice: number;
  yearlyPrice: number;
  monthlyRequestLimit: number;
  monthlyTokenLimit: number;
  monthlyCostCapUsd: number;
  maxTokensPerRequest: number;
  rateLimitPerMinute: number;
  monitoringIncluded: boolean;
  features: string[];
  sortOrder: number;
  active: boolean;
}

/** The limits an operator edits on the plans table. */
export type PlanLimits = Pick<
  Plan,
  | 'monthlyPrice'
  | 'monthlyRequestLimit'
  | 'monthlyTokenLimit'
  | 'monthlyCostCapUsd'
  | 'maxTokensPerRequest'
  | 'rateLimitPerMinute'
>;

export function useProviderHealth() {
  return useQuery({
    queryKey: ['provider-health'],
    queryFn: async () => (await api<{ providers: ProviderHealth[] }>('/api/providers/health')).providers,
    refetchInterval: 15_000,
  });
}

export function useProviderStats(hours: number) {
  // Hour-long buckets over a day or more; five-minute buckets for the last hours.
  const bucketMinutes = hours <= 6 ? 15 : 60;
  return useQuery({
    queryKey: ['provider-stats', hours],
    queryFn: () => api<ProviderStats>(withQuery('/api/admin/providers/stats', { hours, bucketMinutes })),
    refetchInterval: 60_000,
  });
}

export function useAdminUsers() {
  return useQuery({
    queryKey: ['admin-users'],
    queryFn: () =>
      api<{ users: AdminUser[]; nextBefore: string | null }>(withQuery('/api/admin/users', { limit: 100 })),
  });
}

export function usePlans() {
  return useQuery({
    queryKey: ['plans'],
    queryFn: async () => (await api<{ data: Plan[] }>('/api/admin/plans')).data,
  });
}

function useInvalidating<T, V>(mutationFn: (variables: V) => Promise<T>, keys: string[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => Promise.all(keys.map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
  });
}

export function useCreateUser() {
  return useInvalidating(
    (body: { email: string; name?: string }) =>
      api<{ id: string }>('/api/admin/users', { method: 'POST', body }),
    ['admin-users'],
  );
}

export function useIssueKey() {
  return useInvalidating(
    ({ userId, name }: { userId: string; name?: string }) =>
      api<{ id: string; key: string; prefix: string; name: string }>(`/api/admin/users/${userId}/api-keys`, {
        method: 'POST',
        body: name ? { name } : {},
      }),
    ['admin-users'],
  );
}

export function useRevokeKey() {
  return useInvalidating(
    (id: string) => api<void>(`/api/admin/api-keys/${id}`, { method: 'DELETE' }),
    ['admin-users'],
  );
}

export function useAssignPlan() {
  return useInvalidating(
    ({ userId, plan }: { userId: string; plan: string }) =>
      api(`/api/admin/users/${userId}/subscription`, { method: 'PUT', body: { plan } }),
    ['admin-users'],
  );
}

export function useCreatePlan() {
  return useInvalidating(
    (body: { name: string } & Partial<PlanLimits>) => api('/api/admin/plans', { method: 'POST', body }),
    ['plans'],
  );
}

export function useUpdatePlan() {
  return useInvalidating(
    ({ name, changes }: { name: string; changes: Partial<PlanLimits> & { active?: boolean } }) =>
      api(`/api/admin/plans/${encodeURIComponent(name)}`, { method: 'PUT', body: changes }),
    ['plans'],
  );
}

export function useQueueCounts() {
  return useQuery({
    queryKey: ['queue-counts'],
    queryFn: async () =>
      (await api<{ queues: Record<string, Record<string, number>> }>('/api/admin/monitoring/queues')).queues,
    refetchInterval: 10_000,
  });
}
