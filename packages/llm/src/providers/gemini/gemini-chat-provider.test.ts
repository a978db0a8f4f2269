import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChatRequest } from '../../chat-types.js';
import { startGeminiSimulator } from '../../testing/gemini-simulator.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createGeminiProvider } from './index.js';

const request: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'Hello there' }] };

function countingFetch(): { fetch: typeof globalThis.fetch; calls: () => number } {
  let calls = 0;
  return {
    fetch: (input, init) => {
      calls += 1;
      return globalThis.fetch(input, init);
    },
    calls: () => calls,
  };
}

describe('Gemini adapter on the wire', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startGeminiSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('calls generateContent and streamGenerateContent?alt=sse with the key in x-goog-api-key', async () => {
    simulator.reset();
    const provider = createGeminiProvider({ apiKey: 'gemini-wire-key', baseUrl: `${simulator.url}/` });
    await provider.chat(request, { model: 'gemini-2.5-flash', signal: AbortSignal.timeout(10_000) });
    for await (const _chunk of provider.chatStream(request, {
      model: 'gemini-2.5-flash',
      signal: AbortSignal.timeout(10_000),
    })) {
      // drain
    }
    expect(simulator.requests.map((recorded) => recorded.path)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ]);
    expect(simulator.requests[0]?.headers['x-goog-api-key']).toBe('gemini-wire-key');
    expect(simulator.requests[0]?.body).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
    });
  });

  it('sends each call through its own provider fetch, even when calls overlap, and leaves the global fetch alone', async () => {
    const globalFetch = globalThis.fetch;
    const first = countingFetch();
    const second = countingFetch();
    const providers = [
      createGeminiProvider({ apiKey: 'a', baseUrl: simulator.url, fetch: first.fetch }),
      createGeminiProvider({ apiKey: 'b', baseUrl: simulator.url, fetch: second.fetch }),
    ];
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        providers[index % 3 === 0 ? 0 : 1]!.chat(request, {
          model: 'gemini-2.0-flash',
          signal: AbortSignal.timeout(10_000),
        }),
      ),
    );
    for await (const _chunk of providers[0]!.chatStream(request, {
      model: 'gemini-2.0-flash',
      signal: AbortSignal.timeout(10_000),
    })) {
      // drain: streamed calls must take the provider's fetch too
    }
    expect(first.calls()).toBe(5);
    expect(second.calls()).toBe(6);
    expect(globalThis.fetch).toBe(globalFetch);
  });

  it('gives tool call ids that the conversation can answer with a tool result', async () => {
    const provider = createGeminiProvider({ apiKey: 'k', baseUrl: simulator.url });
    const tools: ChatRequest['tools'] = [
      { type: 'function', function: { name: 'search', parameters: { type: 'object' } } },
    ];
    const first = await provider.chat(
      { ...request, tools },
      { model: 'gemini-2.5-pro', signal: AbortSignal.timeout(10_000) },
    );
    const assistant = first.choices[0]!.message;
    const toolCall = assistant.tool_calls![0]!;
    simulator.reset();
    await provider.chat(
      {
        ...request,
        tools,
        messages: [
          ...request.messages,
          { role: 'assistant', content: null, tool_calls: [toolCall] },
          { role: 'tool', tool_call_id: toolCall.id, content: 'found it' },
        ],
      },
      { model: 'gemini-2.5-pro', signal: AbortSignal.timeout(10_000) },
    );
    expect(simulator.requests[0]?.body).toMatchObject({
      contents: [
        { role: 'user' },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'search', args: JSON.parse(toolCall.function.arguments) as unknown } },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'search', response: { content: 'found it' } } }],
        },
      ],
    });
  });

  it('counts usage with the tokenizer, marked estimated, when Gemini reports none', async () => {
    const candidate = {
      content: { role: 'model', parts: [{ text: 'Bonjour tout le monde' }] },
      finishReason: 'STOP',
      index: 0,
    };
    // A recorded response shape from which usageMetadata is missing, as some proxies and older models send it.
    const withoutUsage: typeof globalThis.fetch = (input) =>
      Promise.resolve(
        (input instanceof Request ? input.url : input.toString()).includes('alt=sse')
          ? new Response(`data: ${JSON.stringify({ candidates: [candidate] })}\r\n\r\n`, {
              headers: { 'content-type': 'text/event-stream' },
            })
          : Response.json({ candidates: [candidate] }),
      );
    const provider = createGeminiProvider({ apiKey: 'k', baseUrl: simulator.url, fetch: withoutUsage });
    const completion = await provider.chat(request, {
      model: 'gemini-2.5-flash',
      signal: AbortSignal.timeout(10_000),
    });
    expect(completion.usage).toMatchObject({ estimated: true, completion_tokens: 4 });
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(2);
    const chunks = [];
    for await (const chunk of provider.chatStream(request, {
      model: 'gemini-2.5-flash',
      signal: AbortSignal.timeout(10_000),
    }))
      chunks.push(chunk);
    expect(chunks.at(-1)?.usage).toEqual(completion.usage);
  });

  it('fails an answer blocked by safety with nothing written as content_filter, and marks a partly written one', async () => {
    const respond =
      (parts: unknown[]): typeof globalThis.fetch =>
      () =>
        Promise.resolve(
          Response.json({
            candidates: [{ content: { role: 'model', parts }, finishReason: 'SAFETY', index: 0 }],
            usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
          }),
        );
    const blocked = createGeminiProvider({ apiKey: 'k', baseUrl: simulator.url, fetch: respond([]) });
    await expect(
      blocked.chat(request, { model: 'gemini-2.5-flash', signal: AbortSignal.timeout(10_000) }),
    ).rejects.toMatchObject({ kind: 'content_filter' });
    const partial = createGeminiProvider({
      apiKey: 'k',
      baseUrl: simulator.url,
      fetch: respond([{ text: 'Here is how' }]),
    });
    const completion = await partial.chat(request, {
      model: 'gemini-2.5-flash',
      signal: AbortSignal.timeout(10_000),
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'content_filter',
      message: { content: 'Here is how' },
    });
  });

  it('knows the context window of Gemini models', () => {
    const provider = createGeminiProvider({ apiKey: 'k' });
    expect(provider.contextWindow('gemini-1.5-pro-002')).toBe(2_097_152);
    expect(provider.contextWindow('gemini-2.5-flash')).toBe(1_048_576);
    expect(provider.contextWindow('claude-3')).toBeUndefined();
  });
});
