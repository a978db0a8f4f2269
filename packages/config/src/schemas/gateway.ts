import { z } from 'zod';
import { commaList, emptyAsUndefined, flag, integer } from './shared.js';

/** chat-gateway's own settings: listen address, admin key, limits (body, per-key rate), metrics batching, shutdown grace. */
export const gatewayConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    PORT: integer({ default: 8000, min: 0, max: 65_535 }),
    HOST: emptyAsUndefined(z.string().default('0.0.0.0')),
    GATEWAY_ADMIN_KEY: emptyAsUndefined(z.string().min(16, 'must be at least 16 characters').optional()),
    METRICS_TOKEN: emptyAsUndefined(z.string().min(16, 'must be at least 16 characters').optional()),
    MAX_BODY_BYTES: integer({ default: 1_048_576, min: 1_024 }),
    REQUEST_TIMEOUT_MS: integer({ default: 30_000, min: 100 }),
    HEADERS_TIMEOUT_MS: integer({ default: 10_000, min: 100 }),
    SHUTDOWN_GRACE_MS: integer({ default: 10_000, min: 0 }),
    METRICS_FLUSH_INTERVAL_MS: integer({ default: 5_000, min: 10 }),
    METRICS_FLUSH_ROWS: integer({ default: 500, min: 1 }),
    METRICS_BUFFER_MAX_ROWS: integer({ default: 100_000, min: 1 }),
    STREAM_HEARTBEAT_MS: integer({ default: 10_000, min: 100 }),
    RATE_LIMIT_PER_MINUTE: integer({ default: 600, min: 0 }),
    MY_AGENTS_RATE_LIMIT_PER_MINUTE: integer({ default: 10, min: 0 }),
    QUOTA_FAIL_OPEN: flag(false),
    USER_BASE_URL_ALLOWLIST: emptyAsUndefined(commaList.default([])),
    LLM_PASSTHROUGH_PARAMS: emptyAsUndefined(commaList.default([])),
    CHAT_HISTORY_MAX_TOKENS: integer({ default: 16_000, min: 256 }),
    SPEND_METERING: emptyAsUndefined(z.enum(['on', 'off']).default('on')),
    CONSOLE_DIST_DIR: emptyAsUndefined(z.string().optional()),
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.GATEWAY_ADMIN_KEY !== undefined, {
    path: ['GATEWAY_ADMIN_KEY'],
    message: 'is required when NODE_ENV=production',
    // Report it even when another variable is also wrong, so one run lists every problem.
    when: () => true,
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    adminKey: env.GATEWAY_ADMIN_KEY,
    /** Bearer token that (besides the admin key) opens `/metrics` in production; development leaves it open. */
    metricsToken: env.METRICS_TOKEN,
    /** `/metrics` needs a token only in production. */
    protectMetrics: env.NODE_ENV === 'production',
    maxBodyBytes: env.MAX_BODY_BYTES,
    /**
     * Time to receive a whole request (headers and body) and the headers alone; a client trickling its body is cut
     * with 408. Responses are not bounded by these, so long SSE streams keep running.
     */
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(env.HEADERS_TIMEOUT_MS, env.REQUEST_TIMEOUT_MS),
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    metrics: {
      flushIntervalMs: env.METRICS_FLUSH_INTERVAL_MS,
      flushRows: env.METRICS_FLUSH_ROWS,
      bufferMaxRows: env.METRICS_BUFFER_MAX_ROWS,
    },
    streamHeartbeatMs: env.STREAM_HEARTBEAT_MS,
    /** Requests per minute per API key on the chat endpoints; 0 turns the limit off. */
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    /** Per user and minute: own-key writes (PUT/DELETE my-agents), and key tests (each counted apart); 0 = off. */
    myAgentsRateLimitPerMinute: env.MY_AGENTS_RATE_LIMIT_PER_MINUTE,
    /** Redis unreachable: serve without counting (true) or answer 503 (false, the default). */
    quotaFailOpen: env.QUOTA_FAIL_OPEN,
    /** Hosts a user's own provider key may name as `baseUrl` even though they resolve to non-public addresses. */
    userBaseUrlAllowlist: env.USER_BASE_URL_ALLOWLIST,
    /** Top-level chat request fields forwarded to providers besides the ones the gateway knows; others get 400. */
    passthroughParams: env.LLM_PASSTHROUGH_PARAMS,
    /** Native chat: prompt (history + new message) plus answer bound of one message, in tokens. */
    chatHistoryMaxTokens: env.CHAT_HISTORY_MAX_TOKENS,
    /** `off`: no plan limits and no usage events (the benchmark's baseline); logged as a warning at startup. */
    spendMetering: env.SPEND_METERING === 'on',
    /**
     * The built web console (`vite build` output) served at `/console`; unset: `apps/console/dist` beside the
     * gateway package (in the repo, and in the Docker image, which copies it there).
     */
    consoleDistDir: env.CONSOLE_DIST_DIR,
  }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
