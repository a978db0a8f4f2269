import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChatRequest } from '@switchyard/llm';
import { errorResponses, ErrorEnvelopeRefSchema } from '../../schemas/common.js';
import {
  ChatCompletionRequestSchema,
  ChatCompletionSchema,
  ChatRequestHeadersSchema,
} from '../../schemas/chat-completions.js';
import { abortOnClientClose } from '../../services/client-disconnect.js';
import { gatewayHeaders, hedgeRequested, overheadMs, quotaHeaders } from '../../services/gateway-headers.js';
import { createChatStreamer } from '../../services/chat-streamer.js';
import { rejectDeepJson } from '../../services/json-depth.js';
import { createParameterCheck } from '../../services/request-fields.js';
import { meteredCall } from '@switchyard/spend';

/** `POST /v1/chat/completions`: OpenAI-compatible, JSON or SSE (`stream: true`), over the fallback client. */
const chatCompletionsRoutes: FastifyPluginAsyncTypebox<{
  heartbeatMs: number;
  maxBodyBytes: number;
  passthroughParams: string[];
}> = (app, options) => {
  const streamChatAnswer = createChatStreamer({
    ...options,
    trackStream: (controller) => app.lifecycle.trackStream(controller),
  });
  const checkParameters = createParameterCheck(
    Object.keys(ChatCompletionRequestSchema.properties),
    options.passthroughParams,
  );
  app.post(
    '/v1/chat/completions',
    {
      preValidation: rejectDeepJson,
      onRequest: app.authenticate,
      schema: {
        tags: ['openai'],
        summary: 'Create a chat completion (OpenAI-compatible; set `stream: true` for SSE)',
        security: [{ apiKey: [] }],
        headers: ChatRequestHeadersSchema,
        body: ChatCompletionRequestSchema,
        response: {
          200: ChatCompletionSchema,
          ...errorResponses,
          413: ErrorEnvelopeRefSchema,
          429: ErrorEnvelopeRefSchema,
          502: ErrorEnvelopeRefSchema,
          503: ErrorEnvelopeRefSchema,
        },
      },
    },
    async (request, reply) => {
      // From the request's arrival (before auth and quota), so the overhead we report includes them.
      const startedAt = performance.now() - reply.elapsedTime;
      checkParameters(request.body);
      const principal = request.principal!;
      const chatRequest = request.body as ChatRequest;
      const streaming = chatRequest.stream === true;
      const plan = await app.llm.plan(chatRequest, principal.userId);
      // Admission: the first attempt's worst case is reserved against every plan limit (429 / 503 here).
      const meter = await app.llm.meter(
        meteredCall(request, principal, 'chat.completions', streaming),
        chatRequest,
        plan.chain[0],
      );
      const call = {
        requestId: request.id,
        userId: principal.userId,
        startedAt,
        hedge: hedgeRequested(request.headers['x-gateway-hedge']),
        meter,
      };

      if (!streaming) {
        const answer = await abortOnClientClose(reply, (signal) =>
          app.llm.chat(chatRequest, plan, { ...call, signal }),
        );
        const overhead = overheadMs(startedAt, answer.attempts);
        app.prometheus.overheadFor('false').observe(overhead / 1000);
        return reply
          .headers(gatewayHeaders(answer, request.id, overhead))
          .headers(quotaHeaders(answer.remaining))
          .send({ ...answer.completion, model: answer.model });
      }

      await streamChatAnswer(request, reply, {
        headers: () => quotaHeaders(meter.remaining),
        start: (signal) => app.llm.chatStream(chatRequest, plan, { ...call, signal }),
        // The outcome settles after every attempt's usage event is in Redis, so `[DONE]` follows the events.
        beforeDone: async (_sse, stream) => {
          await stream.outcome;
        },
        afterDone: async (stream) => {
          const outcome = await stream.outcome;
          app.prometheus.overheadFor('true').observe(overheadMs(startedAt, outcome.attempts) / 1000);
        },
      });
    },
  );
  return Promise.resolve();
};

export default chatCompletionsRoutes;
