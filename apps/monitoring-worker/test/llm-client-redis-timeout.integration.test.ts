import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  parseConfig,
  providersConfigSchema,
  redisConfigSchema,
  usageStreamConfigSchema,
} from '@switchyard/config';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerLlm, type WorkerLlm } from '../src/llm-client.js';
import { deleteRedisPrefix, redisUrl, uniquePrefix } from './helper.js';
import { analysisAnswer } from './simulators/llm-answers.js';

/** A TCP proxy in front of the real Redis that can stop answering (accepts bytes, forwards none). */
async function startSilencingProxy(target: URL) {
  let silent = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(downstream).add(upstream);
    downstream.on('data', (chunk: Buffer) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) downstream.write(chunk);
    });
    for (const socket of [downstream, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    silence: () => (silent = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the worker’s LLM client when Redis stops answering', () => {
  let simulator: Simulator;
  let proxy: Awaited<ReturnType<typeof startSilencingProxy>>;
  let llm: WorkerLlm;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    simulator = await startOpenAISimulator({ answer: analysisAnswer });
    proxy = await startSilencingProxy(new URL(redisUrl));
    const config = parseConfig(
      { providers: providersConfigSchema, redis: redisConfigSchema, usageStream: usageStreamConfigSchema },
      {
        REDIS_URL: proxy.url,
        REDIS_KEY_PREFIX: prefix,
        REDIS_COMMAND_TIMEOUT_MS: '200',
        OPENAI_API_KEY: 'sk-simulator-key',
        OPENAI_BASE_URL: `${simulator.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
      },
    );
    llm = await createWorkerLlm(config, { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await llm?.close();
    await proxy?.close();
    await deleteRedisPrefix(prefix);
    await simulator?.close();
  });

  const ask = () =>
    llm.client.chat(
      { model: 'auto', messages: [{ role: 'user', content: 'analyse' }] },
      { signal: new AbortController().signal },
    );

  it('answers past the silent breaker state (REDIS_COMMAND_TIMEOUT_MS) instead of hanging the job', async () => {
    // Silent before the first call, so the breaker must read its state from Redis (later calls use its mirror).
    proxy.silence();
    // Without the command timeout that read waits for Redis forever and this never settles.
    await expect(ask()).resolves.toMatchObject({ provider: 'openai' });
  });
});
