import { createOpenAI } from '@ai-sdk/openai';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../../helper.js';

const answerAbout = (topic: string) =>
  `Simulated answer about ${topic}. It has several words so that streams carry many tokens and tests can cut them anywhere.`;

describe("the Vercel AI SDK's default openai('auto') (the Responses API) against the gateway", () => {
  let simulator: Simulator;
  let gateway: TestGateway;
  let openai: ReturnType<typeof createOpenAI>;

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-ai-sdk',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
    });
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    openai = createOpenAI({ apiKey: (await gateway.createUser()).key, baseURL: `${address}/v1` });
  });
  afterAll(async () => {
    await gateway.close();
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  it('answers generateText with the text, usage and the response id', async () => {
    const result = await generateText({
      model: openai('auto'),
      system: 'Be brief.',
      prompt: 'Hello from the AI SDK',
      maxRetries: 0,
    });
    expect(result.text).toBe(answerAbout('Hello from the AI SDK'));
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
    expect(result.response.modelId).toBe('gpt-4o-mini');
  });

  it('streams with streamText', async () => {
    const result = streamText({ model: openai('auto'), prompt: 'Stream through the AI SDK', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe(answerAbout('Stream through the AI SDK'));
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it('calls a function tool with generateText', async () => {
    const result = await generateText({
      model: openai('auto'),
      prompt: 'Weather in Rome?',
      tools: {
        get_weather: tool({
          description: 'Weather of a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
      },
      maxRetries: 0,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls[0]?.toolName).toBe('get_weather');
  });
});
