import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChatRequest } from '@switchyard/llm';
import { mapError } from '../../error-handler.js';
import { ClientClosedRequestError } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { ChatCompletionRequestSchema, ChatCompletionSchema } from '../../schemas/chat-completions.js';
import { gatewayHeaders, overheadMs, streamHeaders } from '../../services/gateway-headers.js';
import { createSseWriter } from '../../services/sse-writer.js';

/** `POST /v1/chat/completions`: OpenAI-compatible, JSON or SSE (`stream: true`), over the fallback client. */
const chatCompletionsRoutes: FastifyPluginAsyncTypebox<{ heartbeatMs: number; maxBodyBytes: number }> = (app, options) => {
  app.post(
    '/v1/chat/completions',
    {
      preHandler: [app.authenticate, app.enforceQuota],
      schema: {
        tags: ['openai'],
        summary: 'Create a chat completion (OpenAI-compatible; set `stream: true` for SSE)',
        security: [{ apiKey: [] }],
        body: ChatCompletionRequestSchema,
        response: { 200: ChatCompletionSchema, ...errorResponses, 413: { $ref: 'ErrorEnvelope' }, 502: { $ref: 'ErrorEnvelope' }, 503: { $ref: 'ErrorEnvelope' } },
      },
    },
    async (request, reply) => {
      // From the request's arrival (before auth and quota), so the overhead we report includes them.
      const startedAt = performance.now() - reply.elapsedTime;
      const principal = request.principal!;
      const chatRequest = request.body as ChatRequest;
      const plan = await app.llm.plan(chatRequest, principal.userId);

      if (chatRequest.stream !== true) {
        // The response's close (not the request's, which fires once the body was read) means the client left.
        const controller = new AbortController();
        const onClose = () => {
          if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
        };
        reply.raw.once('close', onClose);
        try {
          const answer = await app.llm.chat(chatRequest, plan, { signal: controller.signal, requestId: request.id, userId: principal.userId, startedAt });
          const overhead = overheadMs(startedAt, answer.attempts);
          app.prometheus.overheadFor('false').observe(overhead / 1000);
          return reply.headers(gatewayHeaders(answer, request.id, overhead)).send({ ...answer.completion, model: answer.model });
        } catch (error) {
          // The upstream call was aborted because the client left: not a gateway failure.
          if (controller.signal.aborted) throw new ClientClosedRequestError();
          throw error;
        } finally {
          reply.raw.off('close', onClose);
        }
      }

      // Streaming: we own the socket from here, so the error handler and onSend hooks no longer apply.
      const controller = new AbortController();
      const untrack = app.lifecycle.trackStream(controller);
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
      });
      reply.hijack();
      const stream = app.llm.chatStream(chatRequest, plan, { signal: controller.signal, requestId: request.id, userId: principal.userId, startedAt });
      const sse = createSseWriter(reply.raw, {
        heartbeatMs: options.heartbeatMs,
        headers: () => streamHeaders(stream.progress(), request.id),
      });
      try {
        for await (const chunk of stream.chunks) {
          const pending = sse.data(chunk);
          if (pending) await pending;
        }
        sse.done();
        const outcome = await stream.outcome;
        app.prometheus.overheadFor('true').observe(overheadMs(startedAt, outcome.attempts) / 1000);
      } catch (error) {
        if (controller.signal.aborted && reply.raw.destroyed) {
          request.log.info('client disconnected; upstream call aborted');
        } else {
          const mapped = mapError(error, request.id, options.maxBodyBytes);
          if (mapped.statusCode >= 500) request.log.warn({ code: mapped.envelope.error.code }, 'stream failed');
          if (sse.headersSent) {
            // After the headers only the stream can carry the error; the OpenAI SDK raises it as an APIError.
            void sse.data(mapped.envelope);
            sse.end();
          } else if (!reply.raw.destroyed) {
            reply.raw.writeHead(mapped.statusCode, { 'content-type': 'application/json', 'x-request-id': request.id });
            reply.raw.end(JSON.stringify(mapped.envelope));
          }
        }
      } finally {
        untrack();
        sse.end();
      }
    },
  );
  return Promise.resolve();
};

export default chatCompletionsRoutes;
