/**
 * Bench child process: the two calibration pass-throughs in front of the primary simulator (argv[2]).
 * 1. 20 lines of Fastify making the same SDK call over the same pooled transport as the gateway (the floor for
 *    our dependency choice). 2. A raw Fastify+undici proxy (the floor for any Node gateway). Prints their URLs.
 */
import Fastify from 'fastify';
import OpenAI from 'openai';
import { Pool } from 'undici';
import { createPooledFetch } from '@switchyard/llm';

const upstream = process.argv[2] ?? '';
const pooledFetch = createPooledFetch({ connections: 128, timeouts: { connectMs: 5_000 } });
const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL: `${upstream}/v1`, fetch: pooledFetch, maxRetries: 0 });
const sdkPassThrough = Fastify();
sdkPassThrough.post('/v1/chat/completions', (request) =>
  sdk.chat.completions.create(request.body as OpenAI.ChatCompletionCreateParamsNonStreaming),
);

const upstreamPool = new Pool(upstream, { connections: 128 });
const rawProxy = Fastify();
rawProxy.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, payload, done) =>
  done(null, payload),
);
rawProxy.post('/v1/chat/completions', async (request, reply) => {
  const response = await upstreamPool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request.body as Buffer,
  });
  return reply.code(response.statusCode).type('application/json').send(response.body);
});

const [sdkUrl, rawUrl] = await Promise.all([
  sdkPassThrough.listen({ port: 0, host: '127.0.0.1' }),
  rawProxy.listen({ port: 0, host: '127.0.0.1' }),
]);
process.stdout.write(`${JSON.stringify({ sdk: sdkUrl, raw: rawUrl })}\n`);
process.on(
  'SIGTERM',
  () =>
    void Promise.all([
      sdkPassThrough.close(),
      rawProxy.close(),
      upstreamPool.close(),
      pooledFetch.close(),
    ]).then(() => process.exit(0)),
);
