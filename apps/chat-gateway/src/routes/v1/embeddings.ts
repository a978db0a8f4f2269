import { meteredCall } from '@switchyard/spend';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, ErrorEnvelopeRefSchema } from '../../schemas/common.js';
import { EmbeddingListSchema, EmbeddingRequestSchema } from '../../schemas/embeddings.js';
import { abortOnClientClose } from '../../services/client-disconnect.js';
import { toBase64Float32 } from '../../services/embedding-encoding.js';
import { readEmbeddingInput } from '../../services/embedding-input.js';
import { gatewayHeaders, overheadMs, quotaHeaders } from '../../services/gateway-headers.js';

/** `POST /v1/embeddings`: OpenAI-compatible, over every deployment of the requested model. */
const embeddingsRoutes: FastifyPluginAsyncTypebox = (app) => {
  app.post(
    '/v1/embeddings',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['openai'],
        summary: 'Create embeddings (OpenAI-compatible)',
        description:
          'Falls over on 429, 5xx and timeouts only to another configured deployment of the same model ' +
          '(e.g. OPENAI and an OPENAI_COMPATIBLE server declaring it in OPENAI_COMPATIBLE_EMBEDDING_MODELS).',
        security: [{ apiKey: [] }],
        body: EmbeddingRequestSchema,
        response: {
          200: EmbeddingListSchema,
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
      const { input: rawInput, model, dimensions, encoding_format: encoding, user, ...extra } = request.body;
      const { input, tokens } = readEmbeddingInput(rawInput);
      const chain = app.embeddings.plan(model, tokens);
      const principal = request.principal!;
      // Admission: the input's tokens at the first deployment's price are reserved against every plan limit.
      const meter = await app.llm.meter(
        meteredCall(request, principal, 'embeddings', false),
        { model, messages: [{ role: 'user', content: tokens ? '' : [input].flat().join('\n') }] },
        chain[0],
      );
      const answer = await abortOnClientClose(reply, (signal) =>
        app.embeddings.embed(
          {
            input,
            ...(dimensions === undefined ? {} : { dimensions }),
            ...(user === undefined ? {} : { user }),
            // Fields OpenAI's API may add, or a provider's own (Cohere `input_type`), pass on as they are.
            ...(Object.keys(extra).length === 0 ? {} : { extra }),
          },
          chain,
          { requestId: request.id, userId: principal.userId, startedAt, signal, meter },
        ),
      );
      const base64 = encoding === 'base64';
      const { usage } = answer.result;
      return reply
        .headers(gatewayHeaders(answer, request.id, overheadMs(startedAt, answer.attempts)))
        .headers(quotaHeaders(answer.remaining))
        .send({
          object: 'list' as const,
          data: answer.result.embeddings.map((vector, index) => ({
            object: 'embedding' as const,
            index,
            embedding: base64 ? toBase64Float32(vector) : vector,
          })),
          model: answer.model,
          usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens },
        });
    },
  );
  return Promise.resolve();
};

export default embeddingsRoutes;
