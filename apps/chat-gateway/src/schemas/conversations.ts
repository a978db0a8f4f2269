import { Type } from '@sinclair/typebox';

/** `POST /api/chat/conversations` body; it may be omitted. */
export const CreateConversationSchema = Type.Optional(
  Type.Object({
    title: Type.Optional(Type.String({ maxLength: 200 })),
    defaultModel: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'Model used when a message names none (default `auto`).',
      }),
    ),
  }),
);

/** A conversation. */
export const ConversationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.Union([Type.String(), Type.Null()]),
  defaultModel: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** A stored message; assistant messages say who answered and whether a fallback was used. */
export const MessageSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  role: Type.String(),
  content: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  promptTokens: Type.Union([Type.Integer(), Type.Null()]),
  completionTokens: Type.Union([Type.Integer(), Type.Null()]),
  usedFallback: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** A page of conversations, newest first. */
export const ConversationListSchema = Type.Object({
  conversations: Type.Array(ConversationSchema),
  nextBefore: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** A conversation with one page of its history, oldest first; `nextBefore` fetches the older page. */
export const ConversationWithMessagesSchema = Type.Object({
  conversation: ConversationSchema,
  messages: Type.Array(MessageSchema),
  nextBefore: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** `POST /api/chat/conversations/:id/messages` body. */
export const SendMessageSchema = Type.Object(
  {
    content: Type.String({ minLength: 1 }),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    stream: Type.Optional(Type.Boolean()),
  },
  { examples: [{ content: 'What is a circuit breaker?' }] },
);

/** The answer to a message: both stored messages. */
export const SendMessageResultSchema = Type.Object({
  userMessage: MessageSchema,
  assistantMessage: MessageSchema,
});
