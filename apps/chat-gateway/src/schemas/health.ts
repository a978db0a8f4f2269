import { Type } from '@sinclair/typebox';

/** `GET /health` answer. */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });

/** One readiness check. */
export const CheckSchema = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });

/** `GET /ready` answer (200 ready, 503 not ready). */
export const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({
    platform: CheckSchema,
    userdata: CheckSchema,
    redis: CheckSchema,
    schema: CheckSchema,
    shutdown: CheckSchema,
  }),
});
