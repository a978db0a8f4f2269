import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChatRequest } from '@switchyard/llm';
import { NotFoundError } from '../errors.js';
import { ChatRequestHeadersSchema } from '../schemas/chat-completions.js';
import {
  errorResponses,
  ErrorEnvelopeRefSchema,
  IdParamsSchema,
  NoContentSchema,
  PaginationQuerySchema,
} from '../schemas/common.js';
import {
  ConversationListSchema,
  ConversationSchema,
  ConversationWithMessagesSchema,
  CreateConversationSchema,
  SendMessageResultSchema,
  SendMessageSchema,
} from '../schemas/conversations.js';
import { conversationView, createConversationStore, messageView } from '../services/conversations.js';
import { rejectDeepJson } from '../services/json-depth.js';
import { abortOnClientClose } from '../services/client-disconnect.js';
import { orUnavailable } from '../services/dependency-outage.js';
import { gatewayHeaders, hedgeRequested, overheadMs, quotaHeaders } from '../services/gateway-headers.js';
import { boundHistory } from '../services/history-budget.js';
import { meteredCall } from '@switchyard/spend';
import { createChatStreamer } from '../services/chat-streamer.js';

/** Native chat API: conversations and their history in the userdata database, under row-level security. */
const chatConversationsRoutes: FastifyPluginAsyncTypebox<{
  heartbeatMs: number;
  maxBodyBytes: number;
  /** Prompt + answer tokens one message may use (CHAT_HISTORY_MAX_TOKENS); older history is left out. */
  historyMaxTokens: number;
}> = (app, options) => {
  const store = createConversationStore(app.userdata);
  const streamChatAnswer = createChatStreamer({
    ...options,
    trackStream: (controller) => app.lifecycle.trackStream(controller),
  });
  const security = [{ apiKey: [] }];
  const tags = ['chat'];

  app.post(
    '/api/chat/conversations',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Start a conversation',
        body: CreateConversationSchema,
        response: { 201: ConversationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(conversationView(await store.create(request.principal!.userId, request.body ?? {}))),
  );

  app.get(
    '/api/chat/conversations',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'List conversations, most recent first',
        querystring: PaginationQuerySchema,
        response: { 200: ConversationListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await store.list(request.principal!.userId, limit, before ? new Date(before) : undefined);
      const last = rows.at(-1);
      return {
        conversations: rows.map(conversationView),
        nextBefore: rows.length === limit && last ? last.updatedAt.toISOString() : null,
      };
    },
  );

  app.get(
    '/api/chat/conversations/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'A conversation with a page of its history',
        params: IdParamsSchema,
        querystring: PaginationQuerySchema,
        response: { 200: ConversationWithMessagesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = request.principal!.userId;
      const conversation = await store.find(userId, request.params.id);
      if (!conversation) throw new NotFoundError('Conversation');
      const { limit, before } = request.query;
      const rows = await store.history(userId, conversation.id, limit, before ? new Date(before) : undefined);
      const oldest = rows[0];
      return {
        conversation: conversationView(conversation),
        messages: rows.map(messageView),
        nextBefore: rows.length === limit && oldest ? oldest.createdAt.toISOString() : null,
      };
    },
  );

  app.delete(
    '/api/chat/conversations/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Delete a conversation and its messages',
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await store.remove(request.principal!.userId, request.params.id)))
        throw new NotFoundError('Conversation');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/chat/conversations/:id/messages',
    {
      preValidation: rejectDeepJson,
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Send a message and get the answer (JSON, or SSE chunks when `stream: true`)',
        params: IdParamsSchema,
        headers: ChatRequestHeadersSchema,
        body: SendMessageSchema,
        response: {
          200: SendMessageResultSchema,
          ...errorResponses,
          429: ErrorEnvelopeRefSchema,
          502: ErrorEnvelopeRefSchema,
          503: ErrorEnvelopeRefSchema,
        },
      },
    },
    async (request, reply) => {
      // From the request's arrival (before auth and quota), so the overhead we report includes them.
      const startedAt = performance.now() - reply.elapsedTime;
      const principal = request.principal!;
      const userId = principal.userId;
      const conversation = await store.find(userId, request.params.id);
      if (!conversation) throw new NotFoundError('Conversation');
      const [history, spendPlan] = await Promise.all([
        store.context(userId, conversation.id),
        orUnavailable('PostgreSQL', () => app.spend.plans.planFor(userId)),
      ]);
      // The answer gets the plan's completion bound; the history gets what is left of the budget, newest first.
      const answerTokens = app.spend.engine.completionBound(spendPlan, undefined);
      const chatRequest: ChatRequest = {
        model: request.body.model ?? conversation.defaultModel ?? 'auto',
        messages: boundHistory(
          history,
          { role: 'user', content: request.body.content },
          { contextTokens: options.historyMaxTokens, answerTokens },
        ),
        max_tokens: answerTokens,
      };
      const streaming = request.body.stream === true;
      const plan = await app.llm.plan(chatRequest, userId);
      // The meter counts the messages really sent (the bounded history), and reserves the answer's bound.
      const meter = await app.llm.meter(
        meteredCall(request, principal, 'native-chat', streaming),
        chatRequest,
        plan.chain[0],
      );
      const callOptions = {
        requestId: request.id,
        userId,
        startedAt,
        hedge: hedgeRequested(request.headers['x-gateway-hedge']),
        meter,
      };

      if (!streaming) {
        return abortOnClientClose(reply, async (signal) => {
          const answer = await app.llm.chat(chatRequest, plan, { ...callOptions, signal });
          const [userMessage, assistantMessage] = await store.append(userId, conversation.id, [
            { role: 'user', content: request.body.content },
            {
              role: 'assistant',
              content: answer.completion.choices[0]?.message.content ?? '',
              provider: answer.provider,
              model: answer.model,
              promptTokens: answer.completion.usage?.prompt_tokens ?? null,
              completionTokens: answer.completion.usage?.completion_tokens ?? null,
              usedFallback: answer.usedFallback,
            },
          ]);
          reply.headers(gatewayHeaders(answer, request.id, overheadMs(startedAt, answer.attempts)));
          reply.headers(quotaHeaders(answer.remaining));
          return { userMessage: messageView(userMessage!), assistantMessage: messageView(assistantMessage!) };
        });
      }

      let text = '';
      await streamChatAnswer(request, reply, {
        headers: () => quotaHeaders(meter.remaining),
        start: (signal) => app.llm.chatStream(chatRequest, plan, { ...callOptions, signal }),
        onChunk: (chunk) => {
          text += chunk.choices[0]?.delta.content ?? '';
        },
        beforeDone: async (sse, stream) => {
          const outcome = await stream.outcome;
          const usage = outcome.usage;
          const [, assistantMessage] = await store.append(userId, conversation.id, [
            { role: 'user', content: request.body.content },
            {
              role: 'assistant',
              content: text,
              provider: outcome.provider,
              model: outcome.model,
              promptTokens: usage?.prompt_tokens ?? null,
              completionTokens: usage?.completion_tokens ?? null,
              usedFallback: outcome.usedFallback,
            },
          ]);
          // A last non-OpenAI event tells native clients which stored message the stream became.
          await sse.data({ object: 'conversation.message', message: messageView(assistantMessage!) });
        },
      });
    },
  );
  return Promise.resolve();
};

export default chatConversationsRoutes;
