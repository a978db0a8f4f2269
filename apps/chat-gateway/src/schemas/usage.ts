import { Type } from '@sinclair/typebox';
import { PaginationQuerySchema } from './common.js';

const Instant = Type.String({ format: 'date-time' });

/** One request as the console's usage table lists it (from its attempts' usage rows). */
export const RequestSummarySchema = Type.Object({
  requestId: Type.String(),
  createdAt: Instant,
  endpoint: Type.String({ description: '`chat.completions`, `responses`, `embeddings`, ...' }),
  provider: Type.String({
    description: 'the provider of the attempt that answered, else of the last one tried',
  }),
  model: Type.String(),
  status: Type.String({ description: '`success` or `error`' }),
  attempts: Type.Integer({ description: 'provider attempts, retries and fallbacks included' }),
  fallback: Type.Boolean({ description: 'another provider was tried after the first' }),
  latencyMs: Type.Union([Type.Integer(), Type.Null()], { description: 'time spent in provider attempts' }),
  promptTokens: Type.Integer(),
  completionTokens: Type.Integer(),
  costUsd: Type.Number({ description: 'every attempt, failed ones too' }),
  streaming: Type.Boolean(),
  errorKind: Type.Union([Type.String(), Type.Null()], { description: 'why the request failed' }),
});

/** `GET /api/users/me/requests` query. */
export const RequestPageQuerySchema = PaginationQuerySchema;

/** `GET /api/users/me/requests` answer, newest first. */
export const RequestPageSchema = Type.Object({
  requests: Type.Array(RequestSummarySchema),
  nextBefore: Type.Union([Instant, Type.Null()], {
    description: 'the `before` of the next page; null on the last',
  }),
});

/** `GET /api/users/me/usage/breakdown` answer: this UTC month per day and per provider/model. */
export const UsageBreakdownSchema = Type.Object({
  period: Type.String({ description: 'YYYY-MM (UTC)' }),
  days: Type.Array(
    Type.Object({
      date: Type.String({ description: 'YYYY-MM-DD (UTC); every day of the month so far' }),
      requests: Type.Integer(),
      errors: Type.Integer({ description: 'requests no provider answered' }),
      tokens: Type.Number({ description: 'prompt + completion' }),
      costUsd: Type.Number(),
    }),
  ),
  models: Type.Array(
    Type.Object({
      provider: Type.String(),
      model: Type.String(),
      requests: Type.Integer({ description: 'attempts sent to this model' }),
      tokens: Type.Number(),
      costUsd: Type.Number(),
    }),
  ),
});
