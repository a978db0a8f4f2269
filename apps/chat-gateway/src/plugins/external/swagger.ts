import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorEnvelopeSchema } from '../../schemas/common.js';

const redocHtml = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>Switchyard API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>
`;

/** OpenAPI document (`/openapi.json`), Swagger UI (`/docs`) and ReDoc (`/redoc`, served from the local bundle, no CDN). */
export default fp(
  async function swagger(app: FastifyInstance) {
    app.addSchema(ErrorEnvelopeSchema);
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Switchyard chat gateway',
          description:
            'OpenAI-compatible chat with provider fallback, native conversations, API keys, usage and health.',
          version: '0.0.0',
        },
        components: {
          securitySchemes: {
            apiKey: {
              type: 'http',
              scheme: 'bearer',
              description: 'A `sy-...` key issued by POST /api/admin/users/:id/api-keys.',
            },
            adminKey: { type: 'http', scheme: 'bearer', description: 'GATEWAY_ADMIN_KEY.' },
          },
        },
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, index) =>
          typeof json.$id === 'string' ? json.$id : `def-${index}`,
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

    const redocBundlePath = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
    let redocBundle: Buffer | undefined;
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    app.get('/redoc', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(redocHtml),
    );
    app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) => {
      redocBundle ??= await readFile(redocBundlePath);
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .send(redocBundle);
    });
  },
  { name: 'swagger' },
);
