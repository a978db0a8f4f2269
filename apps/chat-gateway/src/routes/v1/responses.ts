import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { meteredCall } from '@switchyard/spend';
import type { FastifyRequest } from 'fastify';
import { NotFoundError, UnsupportedParameterError, withParam } from '../../errors.js';
import { ChatRequestHeadersSchema } from '../../schemas/chat-completions.js';
import { errorResponses, ErrorEnvelopeRefSchema } from '../../schemas/common.js';
import {
  CreateResponseRequestSchema,
  DeletedResponseSchema,
  InputItemListSchema,
  InputItemsQuerySchema,
  ResponseIdParamsSchema,
  ResponseSchema,
} from '../../schemas/responses.js';
import { createChatStreamer } from '../../services/chat-streamer.js';
import { abortOnClientClose } from '../../services/client-disconnect.js';
import { gatewayHeaders, hedgeRequested, overheadMs, quotaHeaders } from '../../services/gateway-headers.js';
import { rejectDeepJson } from '../../services/json-depth.js';
import {
  createResponseEventTranslator,
  responseFromCompletion,
  responseShell,
  type ResponseStreamEvent,
} from '../../services/responses/responses-answer.js';
import {
  normalizeInput,
  toChatRequest,
  unsupportedFeatures,
  type ConversationItem,
  type ResponsesRequest,
} from '../../services/responses/responses-request.js';
import { newResponseId } from '../../services/responses/response-ids.js';
import { createResponseStore, outputAsItems } from '../../services/responses/response-store.js';
import type { SseWriter } from '../../services/sse-writer.js';

/** The `endpoint` of this API's usage rows. */
const endpoint = 'responses';

async function writeEvents(sse: SseWriter, events: ResponseStreamEvent[]): Promise<void> {
  for (const event of events) {
    const pending = sse.event(event.type, event);
    if (pending) await pending;
  }
}

/**
 * The OpenAI Responses API over the same fallback client, quotas, recording and headers as chat completions:
 * `POST /v1/responses` (JSON or typed SSE events) is translated once into a chat request and its answer back;
 * stored responses (`store`, default true) live in the userdata database under row-level security.
 */
const responsesRoutes: FastifyPluginAsyncTypebox<{ heartbeatMs: number; maxBodyBytes: number }> = (
  app,
  options,
) => {
  const store = createResponseStore(app.userdata);
  const streamChatAnswer = createChatStreamer({
    ...options,
    trackStream: (controller) => app.lifecycle.trackStream(controller),
  });
  // This request's own input items, checked before the quota counts the request.
  const inputOf = new WeakMap<FastifyRequest, ConversationItem[]>();
  const security = [{ apiKey: [] }];
  const tags = ['responses'];
  const notFound = (id: string, what = 'Response') =>
    new NotFoundError(`${what} with id '${id.slice(0, 256)}'`);

  function recordGap(request: FastifyRequest, capability: string, param: string): void {
    app.recorders
      .recordCapabilityGap(
        capability,
        `Responses API requests using \`${param}\`, which this gateway cannot honour.`,
      )
      .catch((reason: unknown) =>
        request.log.warn({ reason: String(reason) }, 'capability gap not recorded'),
      );
  }

  async function checkRequest(request: FastifyRequest): Promise<void> {
    const body = request.body as ResponsesRequest;
    const unsupported = unsupportedFeatures(body);
    if (unsupported.length > 0) {
      for (const feature of unsupported) recordGap(request, feature.capability, feature.param);
      const names = unsupported.map((feature) => `\`${feature.param}\``).join(', ');
      throw withParam(
        new UnsupportedParameterError(
          `This gateway does not support ${names} on /v1/responses: it serves text, function tools and stored responses. Remove ${unsupported.length > 1 ? 'them' : 'it'} and retry.`,
        ),
        unsupported[0]!.param,
      );
    }
    inputOf.set(request, normalizeInput(body.input, newResponseId));
    return Promise.resolve();
  }

  app.post(
    '/v1/responses',
    {
      preValidation: rejectDeepJson,
      onRequest: app.authenticate,
      preHandler: checkRequest,
      schema: {
        tags,
        summary: 'Create a model response (OpenAI Responses API; set `stream: true` for typed SSE events)',
        security,
        headers: ChatRequestHeadersSchema,
        body: CreateResponseRequestSchema,
        response: {
          200: ResponseSchema,
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
      const body = request.body as ResponsesRequest;
      const userId = request.principal!.userId;
      let context = inputOf.get(request) ?? [];
      if (body.previous_response_id) {
        const previous = await store.find(userId, body.previous_response_id);
        if (!previous) throw withParam(notFound(body.previous_response_id), 'previous_response_id');
        context = [...previous.inputItems, ...outputAsItems(previous.response), ...context];
      }
      const chatRequest = toChatRequest(body, context);
      const plan = await app.llm.plan(chatRequest, userId);
      // Admission: the first attempt's worst case is reserved against every plan limit (429 / 503 here).
      const meter = await app.llm.meter(
        meteredCall(request, request.principal!, endpoint, body.stream === true),
        chatRequest,
        plan.chain[0],
      );
      const call = {
        requestId: request.id,
        userId,
        startedAt,
        endpoint,
        hedge: hedgeRequested(request.headers['x-gateway-hedge']),
        meter,
      };
      const shell = responseShell(newResponseId('resp'), Math.floor(Date.now() / 1000), body);
      const keep = body.store !== false;

      if (body.stream !== true) {
        const answer = await abortOnClientClose(reply, (signal) =>
          app.llm.chat(chatRequest, plan, { ...call, signal }),
        );
        const response = responseFromCompletion(shell, answer.completion, answer.model, newResponseId);
        if (keep) await store.save(userId, response, context);
        const overhead = overheadMs(startedAt, answer.attempts);
        app.prometheus.overheadFor('false').observe(overhead / 1000);
        return reply
          .headers(gatewayHeaders(answer, request.id, overhead))
          .headers(quotaHeaders(answer.remaining))
          .send(response);
      }

      const translator = createResponseEventTranslator(shell, newResponseId);
      await streamChatAnswer(request, reply, {
        headers: () => quotaHeaders(meter.remaining),
        start: (signal) => app.llm.chatStream(chatRequest, plan, { ...call, signal }),
        write: (sse, chunk) => writeEvents(sse, translator.chunk(chunk)),
        beforeDone: async (sse, stream) => {
          const outcome = await stream.outcome;
          const { events, response } = translator.complete(outcome.model, outcome.usage);
          // Stored before `response.completed` goes out, so a client may retrieve it as soon as it reads that.
          if (keep) await store.save(userId, response, context);
          await writeEvents(sse, events);
        },
        writeFailure: (sse, envelope) => void writeEvents(sse, translator.fail(envelope.error)),
        afterDone: async (stream) => {
          const outcome = await stream.outcome;
          app.prometheus.overheadFor('true').observe(overheadMs(startedAt, outcome.attempts) / 1000);
        },
      });
    },
  );

  app.get(
    '/v1/responses/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Retrieve a stored response (your own; anyone else’s id is 404)',
        security,
        params: ResponseIdParamsSchema,
        response: { 200: ResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const stored = await store.find(request.principal!.userId, request.params.id);
      if (!stored) throw withParam(notFound(request.params.id), 'id');
      return stored.response;
    },
  );

  app.delete(
    '/v1/responses/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Delete a stored response',
        security,
        params: ResponseIdParamsSchema,
        response: { 200: DeletedResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await store.delete(request.principal!.userId, request.params.id)))
        throw withParam(notFound(request.params.id), 'id');
      return { id: request.params.id, object: 'response' as const, deleted: true as const };
    },
  );

  app.get(
    '/v1/responses/:id/input_items',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary:
          'List the input items a stored response was made from (inherited context first, in `asc` order)',
        security,
        params: ResponseIdParamsSchema,
        querystring: InputItemsQuerySchema,
        response: { 200: InputItemListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as typeof request.query & { include?: unknown };
      if (query.include !== undefined) {
        recordGap(request, 'responses:input_items.include', 'include');
        throw withParam(
          new UnsupportedParameterError('This gateway serves no `include` values on input_items.'),
          'include',
        );
      }
      const stored = await store.find(request.principal!.userId, request.params.id);
      if (!stored) throw withParam(notFound(request.params.id), 'id');
      const ordered = query.order === 'asc' ? stored.inputItems : [...stored.inputItems].reverse();
      let start = 0;
      if (query.after !== undefined) {
        const index = ordered.findIndex((item) => item.id === query.after);
        if (index < 0) throw withParam(notFound(query.after, 'Input item'), 'after');
        start = index + 1;
      }
      const data = ordered.slice(start, start + query.limit);
      return {
        object: 'list' as const,
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: start + query.limit < ordered.length,
      };
    },
  );
  return Promise.resolve();
};

export default responsesRoutes;
