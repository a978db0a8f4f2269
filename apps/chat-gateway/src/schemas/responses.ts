import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { chatInputLimits } from './chat-completions.js';

const Identifier = (options: { minLength?: number; description?: string } = {}) =>
  Type.String({ maxLength: chatInputLimits.identifierLength, ...options });
/**
 * `schema` or null, as one JSON Schema `type` list instead of `anyOf`: the gateway's Ajv coerces types, and inside
 * `anyOf` a failed branch leaves its coercion behind (null became 0, a one-item array its item).
 */
const OrNull = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type as string, 'null'] });

const ToolSchema = Type.Object(
  {
    type: Type.String({
      description: 'Only `function` tools are served; built-in tools get 400 `unsupported_parameter`.',
    }),
  },
  { additionalProperties: true },
);

/**
 * `POST /v1/responses` body. `input` items and tools are checked field by field after validation (400 naming the
 * field); fields and tools the gateway cannot honour get 400 `unsupported_parameter` instead of being dropped.
 */
export const CreateResponseRequestSchema = Type.Object(
  {
    model: Identifier({
      minLength: 1,
      description: '`provider/model`, a model id a provider owns, or `auto` (the fallback chain).',
    }),
    // Shapes checked by the route (400 naming the item): a `type` list or `anyOf` here would need Ajv's union types.
    input: Type.Optional(
      Type.Unsafe<string | unknown[]>({
        description:
          'A string (one user message) or an array of items: messages (`role`, `content` as a string or input_text/output_text parts), `function_call`, `function_call_output`.',
      }),
    ),
    instructions: Type.Optional(OrNull(Type.String())),
    tools: Type.Optional(OrNull(Type.Array(ToolSchema, { maxItems: chatInputLimits.tools }))),
    tool_choice: Type.Optional(
      Type.Unsafe<unknown>({
        description: '`none`, `auto`, `required` or `{"type":"function","name":...}`.',
      }),
    ),
    temperature: Type.Optional(OrNull(Type.Number({ minimum: 0, maximum: 2 }))),
    top_p: Type.Optional(OrNull(Type.Number({ minimum: 0, maximum: 1 }))),
    max_output_tokens: Type.Optional(OrNull(Type.Integer({ minimum: 1 }))),
    metadata: Type.Optional(
      OrNull(
        Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 512 }), { maxProperties: 16 }),
      ),
    ),
    store: Type.Optional(
      OrNull(
        Type.Boolean({ description: 'Keep the response for GET and `previous_response_id` (default true).' }),
      ),
    ),
    previous_response_id: Type.Optional(OrNull(Identifier())),
    stream: Type.Optional(OrNull(Type.Boolean())),
    parallel_tool_calls: Type.Optional(OrNull(Type.Boolean())),
    text: Type.Optional(OrNull(Type.Object({}, { additionalProperties: true }))),
    user: Type.Optional(OrNull(Identifier())),
  },
  {
    additionalProperties: true,
    examples: [{ model: 'auto', input: 'Say hello in one word.' }],
  },
);

const OutputItemSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ description: '`message` (with `output_text` content) or `function_call`.' }),
  },
  { additionalProperties: true },
);

/** The Responses API `usage`. */
export const ResponseUsageSchema = Type.Object(
  {
    input_tokens: Type.Integer(),
    input_tokens_details: Type.Object({ cached_tokens: Type.Integer() }, { additionalProperties: true }),
    output_tokens: Type.Integer(),
    output_tokens_details: Type.Object({ reasoning_tokens: Type.Integer() }, { additionalProperties: true }),
    total_tokens: Type.Integer(),
  },
  { additionalProperties: true },
);

/** A Response object, as OpenAI returns it; `model` is the model that answered. */
export const ResponseSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('response'),
    created_at: Type.Integer(),
    status: Type.String({ description: '`completed`, `incomplete` or `failed`.' }),
    model: Type.String(),
    output: Type.Array(OutputItemSchema),
    usage: Type.Union([ResponseUsageSchema, Type.Null()]),
  },
  {
    additionalProperties: true,
    description:
      'With `stream: true` the answer is `text/event-stream` of typed events (`event: response.created`, ' +
      '`response.in_progress`, `response.output_item.added`, `response.content_part.added`, ' +
      '`response.output_text.delta`, ..., `response.completed`; `response.failed` and `error` on failure), each ' +
      'with a `sequence_number`.',
    examples: [
      {
        id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
        object: 'response',
        created_at: 1_760_000_000,
        status: 'completed',
        model: 'gpt-4o-mini',
        output: [
          {
            id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b',
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: 'Hello!', annotations: [] }],
          },
        ],
        usage: {
          input_tokens: 9,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 2,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 11,
        },
      },
    ],
  },
);

/** `:id` of the stored-response routes. */
export const ResponseIdParamsSchema = Type.Object({ id: Identifier({ minLength: 1 }) });

/** `DELETE /v1/responses/:id` answer. */
export const DeletedResponseSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal('response'),
  deleted: Type.Literal(true),
});

/** `GET /v1/responses/:id/input_items` query: OpenAI's cursor pagination. */
export const InputItemsQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
  after: Type.Optional(
    Identifier({ description: 'An item id: list the items after it in the chosen order.' }),
  ),
  include: Type.Optional(
    Type.Array(Type.String(), { maxItems: 0, description: 'No `include` values are served.' }),
  ),
});

/** `GET /v1/responses/:id/input_items` answer. */
export const InputItemListSchema = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true })),
  first_id: Type.Union([Type.String(), Type.Null()]),
  last_id: Type.Union([Type.String(), Type.Null()]),
  has_more: Type.Boolean(),
});
