import { Type } from '@sinclair/typebox';

/** A provider's requests, success rate, latency and errors over one time window. */
export const ProviderWindowSchema = Type.Object({
  requests: Type.Integer(),
  successRate: Type.Union([Type.Number(), Type.Null()]),
  p50Ms: Type.Union([Type.Number(), Type.Null()]),
  p95Ms: Type.Union([Type.Number(), Type.Null()]),
  errorsByKind: Type.Record(Type.String(), Type.Integer()),
});

/** One provider's breaker state and recent windows. */
export const ProviderHealthSchema = Type.Object({
  provider: Type.String(),
  breaker: Type.Object({
    state: Type.String(),
    openUntil: Type.Union([Type.String(), Type.Null()]),
    consecutiveFailures: Type.Integer(),
  }),
  rateLimitedUntil: Type.Union([Type.String(), Type.Null()]),
  lastFiveMinutes: ProviderWindowSchema,
  lastHour: ProviderWindowSchema,
  lastError: Type.Union([Type.Object({ kind: Type.String(), at: Type.String() }), Type.Null()]),
});

/** `GET /api/providers/health` answer. */
export const ProviderHealthListSchema = Type.Object({ providers: Type.Array(ProviderHealthSchema) });

const Instant = Type.String({ format: 'date-time' });

/** `GET /api/admin/providers/stats` query. */
export const ProviderStatsQuerySchema = Type.Object({
  hours: Type.Integer({ minimum: 1, maximum: 168, default: 24, description: 'how far back' }),
  bucketMinutes: Type.Integer({ minimum: 5, maximum: 1_440, default: 60, description: 'one bucket' }),
});

/** One provider's attempts in one time bucket. */
export const ProviderBucketSchema = Type.Object({
  start: Instant,
  requests: Type.Integer({ description: 'attempts sent to the provider' }),
  successRate: Type.Union([Type.Number(), Type.Null()], { description: '0..1; null without attempts' }),
  p50Ms: Type.Union([Type.Number(), Type.Null()]),
  p95Ms: Type.Union([Type.Number(), Type.Null()]),
  fallbacks: Type.Integer({ description: 'requests that left this provider for the next' }),
  rateLimited: Type.Integer({ description: 'attempts the provider refused with a rate limit' }),
});

/** `GET /api/admin/providers/stats` answer: every bucket of the window, per configured provider. */
export const ProviderStatsSchema = Type.Object({
  from: Instant,
  to: Instant,
  bucketMinutes: Type.Integer(),
  providers: Type.Array(
    Type.Object({
      provider: Type.String(),
      buckets: Type.Array(ProviderBucketSchema),
      breakerTransitions: Type.Array(
        Type.Object({
          at: Instant,
          state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
          openUntil: Type.Union([Instant, Type.Null()], {
            description: 'half-open after this until the next `closed`',
          }),
        }),
        { description: 'oldest first' },
      ),
      rateLimitedUntil: Type.Union([Instant, Type.Null()], {
        description: "no headroom until then, by the provider's rate-limit headers",
      }),
    }),
  ),
});
