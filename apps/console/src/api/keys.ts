import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.js';

export interface Agent {
  id: string;
  provider: string;
  model: string | null;
  displayName: string | null;
  baseUrl: string | null;
  apiKeyHint: string | null;
  enabled: boolean;
}

export interface NewAgent {
  provider: string;
  apiKey: string;
  model?: string;
  baseUrl?: string;
}

export interface AgentTestResult {
  ok: boolean;
  provider: string;
  model: string;
  latencyMs: number;
  error: { kind: string; message: string } | null;
}

export interface Preferences {
  fallbackOrder: string[];
  defaultModel: string | null;
}

export interface ConfiguredService {
  serviceName: string;
  provider: string;
  displayName: string;
  models: { id: string; name: string }[];
  status: 'available' | 'degraded' | 'unavailable';
  source: string;
}

/** The provider kinds a user may store an own key for (the gateway's PutAgentSchema). */
export const ownKeyProviders = ['openai', 'anthropic', 'gemini', 'groq', 'cohere', 'openai-compatible'];

export function useAgents() {
  return useQuery({
    queryKey: ['agents'],
    queryFn: async () => (await api<{ agents: Agent[] }>('/api/ai-agents/my-agents')).agents,
  });
}

export function useSaveAgent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (agent: NewAgent) => api<Agent>('/api/ai-agents/my-agents', { method: 'PUT', body: agent }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['agents'] }),
  });
}

export function useDeleteAgent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/ai-agents/my-agents/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['agents'] }),
  });
}

export function useTestAgent() {
  return useMutation({
    mutationFn: (id: string) =>
      api<AgentTestResult>(`/api/ai-agents/my-agents/${id}/test`, { method: 'POST' }),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: ['preferences'],
    queryFn: () => api<Preferences>('/api/users/me/preferences'),
  });
}

export function useSavePreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (preferences: Preferences) =>
      api<Preferences>('/api/users/me/preferences', { method: 'PUT', body: preferences }),
    onSuccess: (saved) => queryClient.setQueryData(['preferences'], saved),
  });
}

export function useConfiguredServices() {
  return useQuery({
    queryKey: ['configured-services'],
    queryFn: async () =>
      (await api<{ services: ConfiguredService[] }>('/api/ai-agents/configured-services')).services,
  });
}

export function useModels() {
  return useQuery({
    queryKey: ['models'],
    queryFn: async () => (await api<{ data: { id: string; owned_by: string }[] }>('/v1/models')).data,
  });
}
