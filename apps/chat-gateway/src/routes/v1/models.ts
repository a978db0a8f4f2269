import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../schemas/common.js';
import { ModelListSchema } from '../../schemas/chat-completions.js';

/** `GET /v1/models`: every `provider/model` a configured provider serves (chat, then embeddings), plus `auto`. */
const modelsRoutes: FastifyPluginAsyncTypebox = (app) => {
  app.get(
    '/v1/models',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['openai'],
        summary: 'List models (OpenAI-compatible)',
        security: [{ apiKey: [] }],
        response: { 200: ModelListSchema, ...errorResponses },
      },
    },
    () =>
      Promise.resolve({
        object: 'list' as const,
        data: [
          { id: 'auto', object: 'model' as const, created: 0, owned_by: 'switchyard' },
          ...app.llm.models(),
          ...app.embeddings.models(),
        ],
      }),
  );
  return Promise.resolve();
};

export default modelsRoutes;
