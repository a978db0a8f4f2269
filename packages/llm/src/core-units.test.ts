import { providersConfigSchema } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { createMemoryHealthStore } from './breaker/index.js';
import { createLlmClient } from './client.js';
import { parseDurationMs, readRateLimitHeaders, readRetryAfterMs } from './providers/shared/index.js';
import { createProvidersFromConfig } from './providers-from-config.js';
import { createLocalProvider, localFingerprint } from './providers/local/index.js';
import { resolveModel } from './resolve-model.js';
import { estimateTokens } from './tokens.js';

const headers = (record: Record<string, string>) => new Headers(record);

describe('rate-limit headers', () => {
  it('reads retry-after-ms, retry-after seconds and OpenAI durations', () => {
    expect(readRetryAfterMs(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(readRetryAfterMs(headers({ 'retry-after': '3' }))).toBe(3_000);
    expect(parseDurationMs('6m0s')).toBe(360_000);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('20ms')).toBe(20);
  });

  it('sets a reset time only for an exhausted budget', () => {
    const now = 1_000_000;
    expect(
      readRateLimitHeaders(
        headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s' }),
        now,
      )?.resetAt,
    ).toBe(now + 2_000);
    expect(
      readRateLimitHeaders(
        headers({ 'x-ratelimit-remaining-requests': '9', 'x-ratelimit-reset-requests': '2s' }),
        now,
      )?.resetAt,
    ).toBeUndefined();
    expect(
      readRateLimitHeaders(
        headers({
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': new Date(now + 5_000).toISOString(),
        }),
        now,
      )?.resetAt,
    ).toBe(now + 5_000);
  });
});

describe('tokens', () => {
  it('counts tokens with a real tokenizer', () => {
    expect(estimateTokens('hello world')).toBe(2);
    expect(estimateTokens([{ role: 'user', content: 'hello world' }])).toBeGreaterThan(2);
  });
});

describe('model resolution', () => {
  const local = createLocalProvider();
  const openai = { ...createLocalProvider({ name: 'openai' }), id: 'openai' as const };
  it('resolves auto, provider/model and bare ids of configured providers', () => {
    expect(resolveModel('auto', [local, openai])).toEqual({ type: 'auto' });
    expect(resolveModel('openai/gpt-4o', [local, openai])).toEqual({
      type: 'pinned',
      entry: { provider: 'openai', model: 'gpt-4o' },
    });
    expect(resolveModel('gpt-4o-mini', [local, openai])).toEqual({
      type: 'pinned',
      entry: { provider: 'openai', model: 'gpt-4o-mini' },
    });
    expect(resolveModel('claude-haiku-4-5', [local, openai])).toBeUndefined();
  });
});

describe('local provider and configuration', () => {
  it('answers deterministically, labelled as local, streamed and not', async () => {
    const config = providersConfigSchema.parse({});
    const configured = createProvidersFromConfig(config);
    expect(configured.defaultChain).toEqual([{ provider: 'local', model: 'local-echo-1' }]);
    const client = createLlmClient({
      providers: configured.providers,
      defaultChain: configured.defaultChain,
      deadlineMs: 1_000,
    });
    const request = { model: 'auto', messages: [{ role: 'user' as const, content: 'ping' }] };
    const result = await client.chat(request);
    expect(result.completion.system_fingerprint).toBe(localFingerprint);
    expect(result.completion.choices[0]?.message.content).toContain('local');
    let streamed = '';
    for await (const chunk of client.chatStream(request)) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(result.completion.choices[0]?.message.content);
    await configured.close();
  });

  it('builds keyed providers in fallback order and skips those without a key', () => {
    const config = providersConfigSchema.parse({
      OPENAI_API_KEY: 'sk-test-00000000',
      GROQ_API_KEY: 'gsk-test-0000000',
      LLM_FALLBACK_ORDER: 'gemini,groq,openai',
    });
    const configured = createProvidersFromConfig(config);
    expect(configured.defaultChain).toEqual([
      { provider: 'groq', model: 'llama-3.3-70b-versatile' },
      { provider: 'openai', model: 'gpt-4o-mini' },
    ]);
    expect(configured.providers.map((provider) => provider.name).sort()).toEqual(['groq', 'local', 'openai']);
    return configured.close();
  });
});

describe('in-process breaker state', () => {
  it('keeps at most maxTrackedProviders providers, forgetting the least recently used', async () => {
    const store = createMemoryHealthStore({ failureThreshold: 1, maxTrackedProviders: 2 });
    await store.record('user-key-0', { success: false, kind: 'server' });
    expect(await store.acquire('user-key-0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
    await store.record('user-key-1', { success: true });
    await store.record('user-key-2', { success: true });
    expect(await store.acquire('user-key-0')).toEqual({ allowed: true, probe: false });
  });
});
