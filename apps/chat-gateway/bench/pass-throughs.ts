/**
 * Bench child process: the calibration pass-throughs in front of an OpenAI simulator (argv[2]).
 * 1. 20 lines of Fastify making the same SDK call over the same pooled transport as the gateway (the floor for
 *    our dependency choice). 2. A raw Fastify+undici proxy (the floor for any Node gateway): it passes the
 *    upstream's status, content-type and body bytes through as they arrive, so it forwards a JSON answer and a
 *    streamed (SSE) one alike. Prints their URLs as one JSON line.
 * `pass-throughs.ts <upstream> --raw-only --connections=N` starts only the raw proxy, with an upstream pool of N
 * connections (the slow-stream hold needs one per open stream).
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import type OpenAI from 'openai';
import { Pool } from 'undici';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'raw-only': { type: 'boolean' }, connections: { type: 'string' } },
});
const upstream = positionals[0] ?? '';
// Same accept backlog as the gateway (src/server.ts): thousands of streams open within seconds.
const listen = { port: 0, host: '127.0.0.1', backlog: 4_096 };
const closers: Array<() => Promise<unknown>> = [];

const upstreamPool = new Pool(upstream, { connections: Number(values.connections ?? 128) });
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
  const contentType = response.headers['content-type'];
  // The body is a Readable: Fastify pipes it, so each SSE frame leaves as soon as it arrives.
  return reply
    .code(response.statusCode)
    .type(typeof contentType === 'string' ? contentType : 'application/json')
    .send(response.body);
});
closers.push(
  () => rawProxy.close(),
  () => upstreamPool.close(),
);
const urls: Record<string, string> = { raw: await rawProxy.listen(listen) };

if (!values['raw-only']) {
  // Loaded only here, so a raw-only process (whose RSS the stream hold measures) carries neither.
  const { default: OpenAIClient } = await import('openai');
  const { createPooledFetch } = await import('@switchyard/llm');
  const pooledFetch = createPooledFetch({ connections: 128, timeouts: { connectMs: 5_000 } });
  const sdk = new OpenAIClient({
    apiKey: 'sk-bench',
    baseURL: `${upstream}/v1`,
    fetch: pooledFetch,
    maxRetries: 0,
  });
  const sdkPassThrough = Fastify();
  sdkPassThrough.post('/v1/chat/completions', (request) =>
    sdk.chat.completions.create(request.body as OpenAI.ChatCompletionCreateParamsNonStreaming),
  );
  closers.push(
    () => sdkPassThrough.close(),
    () => pooledFetch.close(),
  );
  urls.sdk = await sdkPassThrough.listen(listen);
}

process.stdout.write(`${JSON.stringify(urls)}\n`);
process.on('SIGTERM', () => void Promise.all(closers.map((close) => close())).then(() => process.exit(0)));
