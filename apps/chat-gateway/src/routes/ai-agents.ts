import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createSecretBox, eq, secretContext, withUser } from '@switchyard/db';
import { userAiAgents } from '@switchyard/db/userdata';
import { InvalidValueError, NotFoundError, withParam } from '../errors.js';
import {
  AgentListSchema,
  AgentSchema,
  AgentTestResultSchema,
  ConfiguredServicesSchema,
  PutAgentSchema,
} from '../schemas/ai-agents.js';
import { errorResponses, IdParamsSchema, NoContentSchema } from '../schemas/common.js';
import { RefusedBaseUrlError } from '../services/base-url-guard.js';
import { createUserActionLimit } from '../services/user-action-limit.js';

const displayNames: Record<string, string> = {
  gemini: 'Google Gemini',
  openai: 'OpenAI',
  anthropic: 'Anthropic Claude',
  groq: 'Groq',
  cohere: 'Cohere',
  'openai-compatible': 'OpenAI-compatible endpoint',
  local: 'Local echo (development, no real model)',
};

type AgentRow = typeof userAiAgents.$inferSelect;
const agentView = (row: AgentRow) => ({
  id: row.id,
  provider: row.provider,
  model: row.model,
  displayName: row.displayName,
  baseUrl: row.baseUrl,
  apiKeyHint: row.apiKeyHint,
  enabled: row.enabled,
});

/** Which providers are usable now (never a secret), and users' own provider keys. */
/** Where a user's own provider key is stored: bound into its ciphertext. */
const apiKeyContext = (userId: string) => secretContext('user_ai_agents', 'encrypted_api_key', userId);

const aiAgentsRoutes: FastifyPluginAsyncTypebox<{
  secretsKey: Buffer;
  secretsPreviousKeys?: readonly Buffer[];
  rateLimitPerMinute: number;
}> = (app, options) => {
  const secretBox = createSecretBox(options.secretsKey, options.secretsPreviousKeys);
  const security = [{ apiKey: [] }];
  // Writes and tests make the gateway work (and a test calls out) for the caller: limited per user, apart.
  const limit = createUserActionLimit({
    redis: app.redis,
    keyPrefix: app.redisKeyPrefix,
    perMinute: options.rateLimitPerMinute,
  });
  const limitWrites = limit('my-agents-write', 'changes to your provider keys');
  const limitTests = limit('my-agents-test', 'key tests');
  // A user's endpoint must be public: the gateway would otherwise call into its own network for them (SSRF).
  const refuseUnsafeBaseUrl = (baseUrl: string) =>
    app.userRouting.assertAllowedBaseUrl(baseUrl).catch((error: unknown) => {
      throw error instanceof RefusedBaseUrlError
        ? withParam(new InvalidValueError(error.message), 'baseUrl')
        : error;
    });

  app.get(
    '/api/ai-agents/configured-services',
    {
      schema: {
        tags: ['ai-agents'],
        summary: 'Providers usable right now (key present, breaker state); never a secret',
        response: { 200: ConfiguredServicesSchema },
      },
      onRequest: app.requireUserOrAdmin,
    },
    async () => {
      const health = await app.llm.client.providerHealth();
      const services = app.llm.providers.map((provider) => {
        const state = health.find((item) => item.provider === provider.name)?.state ?? 'closed';
        return {
          serviceName: provider.name,
          provider: provider.id,
          displayName: displayNames[provider.id] ?? provider.id,
          models: provider.models.map((model) => ({ id: model, name: model, maxTokens: null })),
          status: state === 'open' ? 'unavailable' : state === 'half_open' ? 'degraded' : 'available',
          source: provider.id === 'local' ? 'built-in' : 'environment',
        };
      });
      const usable = services.filter((service) => service.status !== 'unavailable').length;
      return {
        services,
        total: services.length,
        message:
          services.length === 0
            ? 'No provider is configured: set a <PROVIDER>_API_KEY.'
            : `${usable} of ${services.length} configured providers are usable now.`,
      };
    },
  );

  app.get(
    '/api/ai-agents/my-agents',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['ai-agents'],
        security,
        summary: 'Your own provider keys (hints only)',
        response: { 200: AgentListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = request.principal!.userId;
      const rows = await withUser(app.userdata, userId, (transaction) =>
        transaction.select().from(userAiAgents),
      );
      return { agents: rows.map(agentView) };
    },
  );

  app.put(
    '/api/ai-agents/my-agents',
    {
      onRequest: app.authenticate,
      preHandler: limitWrites,
      schema: {
        tags: ['ai-agents'],
        security,
        summary: 'Store your own provider key (encrypted)',
        body: PutAgentSchema,
        response: { 200: AgentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = request.principal!.userId;
      if (request.body.provider === 'openai-compatible' && !request.body.baseUrl) {
        throw withParam(
          new InvalidValueError('An openai-compatible key needs `baseUrl`, the endpoint it belongs to.'),
          'baseUrl',
        );
      }
      if (request.body.baseUrl) await refuseUnsafeBaseUrl(request.body.baseUrl);
      const values = {
        userId,
        provider: request.body.provider,
        model: request.body.model ?? null,
        baseUrl: request.body.baseUrl ?? null,
        displayName: request.body.displayName ?? null,
        encryptedApiKey: secretBox.encrypt(request.body.apiKey, apiKeyContext(userId)),
        apiKeyHint: request.body.apiKey.slice(-4),
        enabled: true,
      };
      const [row] = await withUser(app.userdata, userId, (transaction) =>
        transaction
          .insert(userAiAgents)
          .values(values)
          .onConflictDoUpdate({
            target: [userAiAgents.userId, userAiAgents.provider],
            set: { ...values, updatedAt: new Date() },
          })
          .returning(),
      );
      await app.userRouting.invalidate(userId);
      return agentView(row!);
    },
  );

  app.delete(
    '/api/ai-agents/my-agents/:id',
    {
      onRequest: app.authenticate,
      preHandler: limitWrites,
      schema: {
        tags: ['ai-agents'],
        security,
        summary: 'Delete one of your provider keys',
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const userId = request.principal!.userId;
      const rows = await withUser(app.userdata, userId, (transaction) =>
        transaction
          .delete(userAiAgents)
          .where(eq(userAiAgents.id, request.params.id))
          .returning({ id: userAiAgents.id }),
      );
      if (rows.length === 0) throw new NotFoundError('Agent');
      await app.userRouting.invalidate(userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/ai-agents/my-agents/:id/test',
    {
      onRequest: app.authenticate,
      preHandler: limitTests,
      schema: {
        tags: ['ai-agents'],
        security,
        summary: 'Check your key against the provider with a one-token request',
        params: IdParamsSchema,
        response: { 200: AgentTestResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = request.principal!.userId;
      const [agent] = await withUser(app.userdata, userId, (transaction) =>
        transaction.select().from(userAiAgents).where(eq(userAiAgents.id, request.params.id)).limit(1),
      );
      if (!agent) throw new NotFoundError('Agent');
      if (agent.baseUrl) await refuseUnsafeBaseUrl(agent.baseUrl);
      const { provider, model } = app.userRouting.build({
        id: agent.id,
        provider: agent.provider,
        apiKey: secretBox.decrypt(agent.encryptedApiKey, apiKeyContext(agent.userId)),
        model: agent.model,
        baseUrl: agent.baseUrl,
      });
      const startedAt = performance.now();
      try {
        await provider.chat(
          { model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 1 },
          { model, signal: AbortSignal.timeout(15_000) },
        );
        return {
          ok: true,
          provider: agent.provider,
          model,
          latencyMs: Math.round(performance.now() - startedAt),
          error: null,
        };
      } catch (error) {
        // The provider's own message says what is wrong with the key; adapters never put the key in it.
        const kind = (error as { kind?: string }).kind ?? 'network';
        return {
          ok: false,
          provider: agent.provider,
          model,
          latencyMs: Math.round(performance.now() - startedAt),
          error: { kind, message: error instanceof Error ? error.message : 'failed' },
        };
      }
    },
  );
  return Promise.resolve();
};

export default aiAgentsRoutes;
