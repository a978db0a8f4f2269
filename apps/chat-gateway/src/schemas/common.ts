import { Type, type Static } from '@sinclair/typebox';

/** The OpenAI error envelope, returned by every failing route. */
export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object(
      {
        message: Type.String(),
        type: Type.String(),
        code: Type.Union([Type.String(), Type.Null()]),
        param: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: true },
    ),
  },
  {
    $id: 'ErrorEnvelope',
    examples: [
      {
        error: {
          message: 'The model `gpt-9` does not exist.',
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
        },
      },
    ],
  },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

/** A response in the error envelope (registered once as `ErrorEnvelope`). */
export const ErrorEnvelopeRefSchema = Type.Ref('ErrorEnvelope');

/** Error responses shared by authenticated routes. */
export const errorResponses = {
  400: ErrorEnvelopeRefSchema,
  401: ErrorEnvelopeRefSchema,
  404: ErrorEnvelopeRefSchema,
  429: ErrorEnvelopeRefSchema,
  500: ErrorEnvelopeRefSchema,
} as const;

/** The empty body of a 204 answer. */
export const NoContentSchema = Type.Null();

/** A path parameter holding a uuid. */
export const IdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Cursor pagination query. */
export const PaginationQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  before: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'Only items created before this instant (the `nextBefore` of the previous page).',
    }),
  ),
});
