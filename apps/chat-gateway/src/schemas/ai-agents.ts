import { Type } from '@sinclair/typebox';

/** A provider usable right now; never a secret. */
export const ConfiguredServiceSchema = Type.Object({
  serviceName: Type.String(),
  provider: Type.String(),
  displayName: Type.String(),
  models: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      maxTokens: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  status: Type.String({
    description: '`available`, `degraded` (breaker half open) or `unavailable` (breaker open)',
  }),
  source: Type.String({ description: '`environment` (server key) or `built-in`' }),
});

/** `GET /api/ai-agents/configured-services` answer. */
export const ConfiguredServicesSchema = Type.Object({
  services: Type.Array(ConfiguredServiceSchema),
  total: Type.Integer(),
  message: Type.String(),
});

/** The provider kinds a user may store an own key for. */
export const AgentProviderSchema = Type.Union(
  ['gemini', 'openai', 'anthropic', 'groq', 'cohere', 'openai-compatible'].map((name) => Type.Literal(name)),
);

/** `PUT /api/ai-agents/my-agents` body. */
export const PutAgentSchema = Type.Object({
  provider: AgentProviderSchema,
  apiKey: Type.String({ minLength: 8, description: 'Stored encrypted (AES-256-GCM); never returned.' }),
  model: Type.Optional(Type.String({ minLength: 1 })),
  baseUrl: Type.Optional(Type.String({ format: 'uri' })),
  displayName: Type.Optional(Type.String({ maxLength: 100 })),
});

/** A user's own provider key as the API shows it: a hint of the key, never the key. */
export const AgentSchema = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  baseUrl: Type.Union([Type.String(), Type.Null()]),
  apiKeyHint: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
});

/** `GET /api/ai-agents/my-agents` answer. */
export const AgentListSchema = Type.Object({ agents: Type.Array(AgentSchema) });

/** `POST /api/ai-agents/my-agents/:id/test` answer. */
export const AgentTestResultSchema = Type.Object({
  ok: Type.Boolean(),
  provider: Type.String(),
  model: Type.String(),
  latencyMs: Type.Integer(),
  error: Type.Union([Type.Object({ kind: Type.String(), message: Type.String() }), Type.Null()]),
});
