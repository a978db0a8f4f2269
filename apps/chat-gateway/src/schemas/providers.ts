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
