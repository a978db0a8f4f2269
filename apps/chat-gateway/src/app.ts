import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { GatewayAppConfig } from '@switchyard/config';
import type { HostResolver } from '@switchyard/net';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createErrorHandler, mapError } from './error-handler.js';
import { GatewayLogController, lazyChildLoggerFactory } from './logger.js';
import { ShuttingDownError } from './errors.js';
import type { LlmClient } from './services/llm-service.js';
import { requestIdFor } from './services/request-id.js';
import { stripNul } from './services/strip-nul.js';
import authPlugin from './plugins/app/auth.js';
import breakerHistoryPlugin from './plugins/app/breaker-history.js';
import lifecyclePlugin from './plugins/app/lifecycle.js';
import embeddingsPlugin from './plugins/app/embeddings.js';
import monitoringPlugin from './plugins/app/monitoring.js';
import llmPlugin from './plugins/app/llm.js';
import observabilityPlugin from './plugins/app/observability.js';
import spendPlugin from './plugins/app/spend.js';
import userRoutingPlugin from './plugins/app/user-routing.js';
import consolePlugin from './plugins/external/console.js';
import cookiesPlugin from './plugins/external/cookies.js';
import databasesPlugin from './plugins/external/databases.js';
import queueDashboardPlugin from './plugins/external/queue-dashboard.js';
import queuesPlugin from './plugins/external/queues.js';
import redisPlugin from './plugins/external/redis.js';
import swaggerPlugin from './plugins/external/swagger.js';
import adminRoutes from './routes/admin.js';
import aiAgentsRoutes from './routes/ai-agents.js';
import chatConversationsRoutes from './routes/chat-conversations.js';
import consoleSessionRoutes from './routes/console-session.js';
import connectionsRoutes from './routes/connections.js';
import healthRoutes from './routes/health.js';
import monitoringRoutes from './routes/monitoring.js';
import onboardingRoutes from './routes/onboarding.js';
import providersRoutes from './routes/providers.js';
import subscriptionRoutes from './routes/subscription.js';
import usersRoutes from './routes/users.js';
import chatCompletionsRoutes from './routes/v1/chat-completions.js';
import embeddingsRoutes from './routes/v1/embeddings.js';
import modelsRoutes from './routes/v1/models.js';
import responsesRoutes from './routes/v1/responses.js';

/** What `buildApp` can be handed instead of building it from config (tests, benchmarks). */
export interface AppDependencies {
  /** A ready pino logger (server.ts); default: no logging. */
  loggerInstance?: FastifyBaseLogger;
  /** A prebuilt LLM client, e.g. one pointed at simulators with test timeouts. */
  llm?: LlmClient;
  /** Resolver of users' own `baseUrl` hosts (default: the system's); tests play a rebinding DNS server with it. */
  resolveHost?: HostResolver;
}

/** Builds the gateway (plugins, routes, error handling) without listening; `server.ts` owns `listen`. */
export async function buildApp(config: GatewayAppConfig, dependencies: AppDependencies = {}) {
  const app = Fastify({
    ...(dependencies.loggerInstance ? { loggerInstance: dependencies.loggerInstance } : { logger: false }),
    bodyLimit: config.gateway.maxBodyBytes,
    // Node bounds only the receipt of the request (headers, then the whole body): an unauthenticated or slow client
    // cannot hold a connection by trickling a body, while a response (a long SSE stream) is never cut. Timeouts are
    // checked once a second (Node's default is every 30 s).
    requestTimeout: config.gateway.requestTimeoutMs,
    http: { headersTimeout: config.gateway.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    // Fastify would take the header as is; requestIdFor accepts only a short plain token and generates otherwise.
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Our own onRequest check answers with the OpenAI envelope instead of Fastify's plain 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Fastify bounds application hooks, preClose included, by pluginTimeout (10 s by default). Our preClose waits
    // up to SHUTDOWN_GRACE_MS for streams; at a grace of 10 s or more it timed out and shutdown failed or hung.
    pluginTimeout: Math.max(10_000, config.gateway.shutdownGraceMs + 5_000),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    logController: new GatewayLogController(),
    childLoggerFactory: lazyChildLoggerFactory,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(createErrorHandler(config.gateway.maxBodyBytes));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      mapError(
        Object.assign(new Error(`No route ${request.method} ${request.url.split('?')[0]}.`), {
          statusCode: 404,
          code: 'not_found',
        }),
        request.id,
        config.gateway.maxBodyBytes,
      ).envelope,
    ),
  );
  // NUL bytes never get past the edge: PostgreSQL text cannot hold them (a row with one would fail its whole batch).
  app.addHook('preValidation', (request, _reply, done) => {
    stripNul(request.body);
    done();
  });

  await app.register(lifecyclePlugin, { shutdownGraceMs: config.gateway.shutdownGraceMs });
  app.addHook('onRequest', (request, reply, done) => {
    // Set on arrival rather than in an onSend hook (one hook less per request): every reply sent through Fastify,
    // errors and 404s included, carries it; a hijacked stream writes it with its own headers.
    reply.header('x-request-id', request.id);
    // From the first moment of shutdown: refuse new work (readiness reports it itself), let in-flight work finish.
    if (app.lifecycle.shuttingDown && request.url !== '/ready' && request.url !== '/health') {
      reply.header('connection', 'close');
      done(new ShuttingDownError());
      return;
    }
    done();
  });
  await app.register(swaggerPlugin);
  await app.register(consolePlugin, { distDir: config.gateway.consoleDistDir });
  await app.register(databasesPlugin, { databases: config.databases });
  await app.register(redisPlugin, config.redis);
  await app.register(queuesPlugin, { url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  await app.register(observabilityPlugin, {
    metrics: config.gateway.metrics,
    shutdownGraceMs: config.gateway.shutdownGraceMs,
  });
  await app.register(authPlugin, {
    adminKey: config.gateway.adminKey,
    metricsToken: config.gateway.metricsToken,
    protectMetrics: config.gateway.protectMetrics,
  });
  await app.register(cookiesPlugin, { adminKey: config.gateway.adminKey });
  await app.register(queueDashboardPlugin);
  await app.register(spendPlugin, {
    namespace: config.redis.spendNamespace,
    partitions: config.usageStream.partitions,
    keyRateLimitPerMinute: config.gateway.rateLimitPerMinute,
    failOpen: config.gateway.quotaFailOpen,
    enabled: config.gateway.spendMetering,
  });
  await app.register(userRoutingPlugin, {
    providers: config.providers,
    secretsKey: config.secrets.key,
    secretsPreviousKeys: config.secrets.previousKeys,
    baseUrlAllowlist: config.gateway.userBaseUrlAllowlist,
    resolve: dependencies.resolveHost,
  });
  await app.register(monitoringPlugin);
  await app.register(llmPlugin, {
    providers: config.providers,
    runtime: config.runtime,
    // The worker's client uses the same prefix: both see one breaker per provider.
    keyPrefix: config.redis.llmKeyPrefix,
    client: dependencies.llm,
  });
  await app.register(breakerHistoryPlugin, { llmKeyPrefix: config.redis.llmKeyPrefix });
  await app.register(embeddingsPlugin, { providers: config.providers, keyPrefix: config.redis.llmKeyPrefix });

  await app.register(healthRoutes, { databases: config.databases });
  await app.register(chatCompletionsRoutes, {
    heartbeatMs: config.gateway.streamHeartbeatMs,
    maxBodyBytes: config.gateway.maxBodyBytes,
    passthroughParams: config.gateway.passthroughParams,
  });
  await app.register(responsesRoutes, {
    heartbeatMs: config.gateway.streamHeartbeatMs,
    maxBodyBytes: config.gateway.maxBodyBytes,
  });
  await app.register(embeddingsRoutes);
  await app.register(modelsRoutes);
  await app.register(adminRoutes);
  await app.register(usersRoutes);
  await app.register(chatConversationsRoutes, {
    heartbeatMs: config.gateway.streamHeartbeatMs,
    maxBodyBytes: config.gateway.maxBodyBytes,
    historyMaxTokens: config.gateway.chatHistoryMaxTokens,
  });
  await app.register(aiAgentsRoutes, {
    secretsKey: config.secrets.key,
    secretsPreviousKeys: config.secrets.previousKeys,
    rateLimitPerMinute: config.gateway.myAgentsRateLimitPerMinute,
  });
  await app.register(connectionsRoutes, {
    oauth: config.oauth,
    secretsKey: config.secrets.key,
    secretsPreviousKeys: config.secrets.previousKeys,
    siteAllowlist: config.gateway.userBaseUrlAllowlist,
    stateTtlSeconds: config.oauth.stateTtlSeconds,
  });
  await app.register(providersRoutes);
  await app.register(subscriptionRoutes);
  await app.register(onboardingRoutes);
  await app.register(monitoringRoutes);
  await app.register(consoleSessionRoutes);
  return app;
}
