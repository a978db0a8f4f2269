import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from './client.js';

export interface Alert {
  id: string;
  type: string;
  severity: string;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
}

export interface UsageReport {
  userId: string;
  plan: string;
  period: { start: string; end: string };
  requests: number;
  errors: number;
  tokens: { prompt: number; completion: number; cached: number };
  costUsd: number;
  limits: { monthlyRequestLimit: number; monthlyTokenLimit: number; monthlyCostCapUsd: number };
  percent: { requests: number | null; tokens: number | null; costUsd: number | null };
  status: 'ok' | 'warning' | 'limit_reached';
  providers: { provider: string; model: string; requests: number; costUsd: number }[];
  alerts: Alert[];
}

export interface UsageBreakdown {
  period: string;
  days: { date: string; requests: number; errors: number; tokens: number; costUsd: number }[];
  models: { provider: string; model: string; requests: number; tokens: number; costUsd: number }[];
}

export interface RequestRow {
  requestId: string;
  createdAt: string;
  endpoint: string;
  provider: string;
  model: string;
  status: 'success' | 'error';
  attempts: number;
  fallback: boolean;
  latencyMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  streaming: boolean;
  errorKind: string | null;
}

export function useUsage() {
  return useQuery({
    queryKey: ['usage'],
    queryFn: async () => (await api<{ data: UsageReport }>('/api/users/me/usage')).data,
  });
}

export function useAlerts() {
  return useQuery({
    queryKey: ['alerts'],
    queryFn: async () => (await api<{ data: Alert[] }>('/api/users/me/alerts')).data,
  });
}

export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/api/users/me/alerts/${id}/ack`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
}

export function useUsageBreakdown() {
  return useQuery({
    queryKey: ['usage', 'breakdown'],
    queryFn: () => api<UsageBreakdown>('/api/users/me/usage/breakdown'),
  });
}

/** Recent requests, newest first, a page at a time ("Show older requests" asks for the next). */
export function useRecentRequests(limit = 50) {
  return useInfiniteQuery({
    queryKey: ['usage', 'requests', limit],
    queryFn: ({ pageParam }) =>
      api<{ requests: RequestRow[]; nextBefore: string | null }>(
        withQuery('/api/users/me/requests', { limit, before: pageParam }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextBefore ?? undefined,
    // Usage rows land a few seconds after a request; keep the table fresh while the page is open.
    refetchInterval: 10_000,
  });
}
