import { Type } from '@sinclair/typebox';

/** `GET /health` answer. */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });

/** Why a dependency is not ready: a stable code, never the dependency's own error text. */
export const ReadinessCodeSchema = Type.Union([
  Type.Literal('unreachable'),
  Type.Literal('schema_drift'),
  Type.Literal('shutting_down'),
]);

/** One readiness check. */
export const CheckSchema = Type.Object({ ok: Type.Boolean(), code: Type.Optional(ReadinessCodeSchema) });

/** `GET /ready` answer (200 ready, 503 unavailable with every failing dependency named). */
export const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  failing: Type.Array(Type.Object({ dependency: Type.String(), code: ReadinessCodeSchema })),
  checks: Type.Object({
    platform: CheckSchema,
    userdata: CheckSchema,
    redis: CheckSchema,
    schema: CheckSchema,
    shutdown: CheckSchema,
  }),
});
