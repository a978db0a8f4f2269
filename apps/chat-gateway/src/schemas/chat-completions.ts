import { Type, type Static } from '@sinclair/typebox';

/** Input limits: a request past one gets 400 `invalid_value` naming the field. */
export const chatInputLimits = { messages: 2_048, tools: 128, identifierLength: 256 } as const;
const Identifier = (options: { minLength?: number; description?: string } = {}) =>
  Type.String({ maxLength: chatInputLimits.identifierLength, ...options });

const ContentPartSchema = Type.Object({ type: Type.String() }, { additionalProperties: true });

const ToolCallSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal('function'),
    function: Type.Object({ name: Type.String(), arguments: Type.String() }),
  },
  { additionalProperties: true },
);

/** One message of an OpenAI chat request. */
export const ChatMessageSchema = Type.Object(
  {
    role: Type.Union([
      Type.Literal('system'),
      Type.Literal('developer'),
      Type.Literal('user'),
      Type.Literal('assistant'),
      Type.Literal('tool'),
    ]),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(ContentPartSchema), Type.Null()])),
    name: Type.Optional(Identifier()),
    tool_calls: Type.Optional(Type.Array(ToolCallSchema)),
    tool_call_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** `POST /v1/chat/completions` body. Unknown fields are kept and passed to providers that accept them. */
export const ChatCompletionRequestSchema = Type.Object(
  {
    model: Identifier({
      minLength: 1,
      description: '`provider/model`, a model id a provider owns, or `auto` (the fallback chain).',
    }),
    messages: Type.Array(ChatMessageSchema, { minItems: 1, maxItems: chatInputLimits.messages }),
    stream: Type.Optional(Type.Boolean()),
    stream_options: Type.Optional(
      Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }),
    ),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    max_completion_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 1 })),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 })])),
    tools: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.Literal('function'),
            function: Type.Object({ name: Identifier() }, { additionalProperties: true }),
          },
          { additionalProperties: true },
        ),
        { maxItems: chatInputLimits.tools },
      ),
    ),
    tool_choice: Type.Optional(Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })])),
    response_format: Type.Optional(Type.Object({ type: Type.String() }, { additionalProperties: true })),
    user: Type.Optional(Identifier()),
  },
  {
    additionalProperties: true,
    examples: [{ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one word.' }] }],
  },
);
export type ChatCompletionRequest = Static<typeof ChatCompletionRequestSchema>;

/** Request headers of the chat routes (other headers pass). */
export const ChatRequestHeadersSchema = Type.Object({
  'x-gateway-hedge': Type.Optional(
    Type.Unsafe<'on' | 'off'>({
      type: 'string',
      enum: ['on', 'off'],
      description:
        'Hedged first token for this request: `on` starts the next provider in parallel when the first token is late (after LLM_HEDGE_AFTER_MS), `off` never does. Absent: the deployment default.',
    }),
  ),
});

const UsageSchema = Type.Object(
  { prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() },
  { additionalProperties: true },
);

/** A non-streamed chat completion, exactly as OpenAI returns it; `model` is the model that answered. */
export const ChatCompletionSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('chat.completion'),
    created: Type.Integer(),
    model: Type.String(),
    choices: Type.Array(
      Type.Object(
        {
          index: Type.Integer(),
          message: Type.Object(
            {
              role: Type.Literal('assistant'),
              content: Type.Union([Type.String(), Type.Null()]),
              tool_calls: Type.Optional(Type.Array(ToolCallSchema)),
            },
            { additionalProperties: true },
          ),
          finish_reason: Type.String(),
        },
        { additionalProperties: true },
      ),
    ),
    usage: Type.Optional(UsageSchema),
  },
  {
    additionalProperties: true,
    description:
      'With `stream: true` the answer is `text/event-stream` of `data: {chat.completion.chunk}` lines ending in `data: [DONE]`.',
    examples: [
      {
        id: 'chatcmpl-123',
        object: 'chat.completion',
        created: 1_760_000_000,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
      },
    ],
  },
);

/** `GET /v1/models` answer. */
export const ModelListSchema = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          object: Type.Literal('model'),
          created: Type.Integer(),
          owned_by: Type.String(),
        },
        { additionalProperties: true },
      ),
    ),
  },
  {
    examples: [
      {
        object: 'list',
        data: [{ id: 'openai/gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' }],
      },
    ],
  },
);
