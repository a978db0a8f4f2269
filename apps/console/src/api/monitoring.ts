import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from './client.js';

export interface Onboarding {
  id: string | null;
  status: string;
  currentStep: number | null;
  progressPercent: number;
  steps: { step: number; name: string; completed: boolean; data: Record<string, unknown> | null }[];
  completedAt: string | null;
}

export interface Connection {
  id: string;
  platform: 'gsc' | 'bing' | 'wordpress' | 'wix';
  status: 'active' | 'expired' | 'revoked' | 'error';
  account: string | null;
  siteUrl: string | null;
  scopes: string[];
  expiresAt: string | null;
  lastRefreshedAt: string | null;
  createdAt: string;
}

export interface MonitoringTask {
  id: string;
  type: 'website_analysis' | 'oauth_token' | 'platform_insights';
  target: string;
  details: Record<string, unknown>;
  status: string;
  lastCheck: string | null;
  lastSuccess: string | null;
  nextCheck: string | null;
  consecutiveFailures: number;
  failureReason: string | null;
  needsIntervention: boolean;
  hint: string | null;
}

export interface ExecutionLog {
  id: string;
  executionDate: string;
  status: string;
  executionTimeMs: number | null;
  errorMessage: string | null;
  resultData: Record<string, unknown> | null;
}

export interface TaskResult {
  id: string;
  at: string;
  url: string;
  kind: string;
  changes: Record<string, unknown> | null;
  data: Record<string, unknown>;
}

export interface Anomaly {
  id: string;
  metricName: string;
  tags: string;
  anomalyType: string;
  severity: string;
  observed: number;
  expected: number | null;
  detectedAt: string;
  resolvedAt: string | null;
}

export function useOnboarding() {
  return useQuery({ queryKey: ['onboarding'], queryFn: () => api<Onboarding>('/api/onboarding') });
}

export function useConnections() {
  return useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await api<{ connections: Connection[] }>('/api/connections')).connections,
  });
}

/** OAuth platforms answer an address to open; the browser goes there and comes back through the callback. */
export function useAuthorizeConnection() {
  return useMutation({
    mutationFn: (platform: 'gsc' | 'bing' | 'wix') =>
      api<{ authorizationUrl: string }>(`/api/connections/${platform}/authorize`, { method: 'POST' }),
    onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
  });
}

export function useConnectWordPress() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { siteUrl: string; username: string; applicationPassword: string }) =>
      api('/api/connections/wordpress', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['connections'] }),
  });
}

export function useDisconnect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/api/connections/${id}`, { method: 'DELETE' }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['connections'] }),
        queryClient.invalidateQueries({ queryKey: ['tasks'] }),
      ]),
  });
}

export function useTasks() {
  return useQuery({
    queryKey: ['tasks'],
    queryFn: async () => (await api<{ tasks: MonitoringTask[] }>('/api/monitoring/tasks')).tasks,
  });
}

export function useRunTask() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<{ jobId: string; queued: boolean }>(`/api/monitoring/tasks/${id}/run`, { method: 'POST' }),
    onSuccess: (_answer, id) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['tasks'] }),
        queryClient.invalidateQueries({ queryKey: ['task-logs', id] }),
      ]),
  });
}

export function useSetTaskStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: 'active' | 'paused' }) =>
      api<MonitoringTask>(`/api/monitoring/tasks/${id}`, { method: 'PATCH', body: { status } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
}

/** A task's logs; polled while open, since a run queued by "Run now" finishes in the worker seconds later. */
export function useTaskLogs(id: string) {
  return useQuery({
    queryKey: ['task-logs', id],
    queryFn: async () =>
      (await api<{ logs: ExecutionLog[] }>(withQuery(`/api/monitoring/tasks/${id}/logs`, { limit: 10 })))
        .logs,
    refetchInterval: 3_000,
  });
}

export function useTaskResults(id: string) {
  return useQuery({
    queryKey: ['task-results', id],
    queryFn: async () =>
      (await api<{ results: TaskResult[] }>(withQuery(`/api/monitoring/tasks/${id}/results`, { limit: 5 })))
        .results,
  });
}

export function useAnomalies() {
  return useQuery({
    queryKey: ['anomalies'],
    queryFn: async () =>
      (await api<{ anomalies: Anomaly[] }>(withQuery('/api/monitoring/anomalies', { limit: 20 }))).anomalies,
  });
}

export function useSaveOnboardingStep() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ step, body }: { step: number; body: unknown }) =>
      api<Onboarding>(`/api/onboarding/steps/${step}`, { method: 'PUT', body }),
    onSuccess: (onboarding) => queryClient.setQueryData(['onboarding'], onboarding),
  });
}

export function useCompleteOnboarding() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ tasks: { id: string }[] }>('/api/onboarding/complete', { method: 'POST' }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['onboarding'] }),
        queryClient.invalidateQueries({ queryKey: ['tasks'] }),
      ]),
  });
}

export function useWatchCompetitor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (url: string) => api('/api/monitoring/competitors', { method: 'POST', body: { url } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
}

export function useStopWatchingCompetitor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (url: string) =>
      api<void>(withQuery('/api/monitoring/competitors', { url }), { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
}
