import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAnthropicSimulator } from '../../testing/anthropic-simulator.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createAnthropicProvider } from './index.js';

describe('Anthropic adapter on the wire', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startAnthropicSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('posts to /v1/messages with the key header, no SDK retries, and a tool round trip in Anthropic shape', async () => {
    simulator.reset();
    const provider = createAnthropicProvider({ apiKey: 'sk-ant-wire', baseUrl: simulator.url });
    simulator.setFaults([{ type: 'server_error', times: 1 }]);
    await expect(
      provider.chat(
        { model: 'x', messages: [{ role: 'user', content: 'Hi' }] },
        { model: 'claude-haiku-4-5', signal: AbortSignal.timeout(10_000) },
      ),
    ).rejects.toMatchObject({ kind: 'server' });
    // One request only: a retry inside the SDK would hide the failure from the fallback client.
    expect(simulator.requests).toHaveLength(1);

    const completion = await provider.chat(
      {
        model: 'x',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'toolu_9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_9', content: '18C and sunny' },
        ],
      },
      { model: 'claude-haiku-4-5', signal: AbortSignal.timeout(10_000) },
    );
    expect(completion.choices[0]?.message.content).toMatch(/^Simulated answer/);
    const recorded = simulator.requests[1]!;
    expect(recorded.path).toBe('/v1/messages');
    expect(recorded.headers['x-api-key']).toBe('sk-ant-wire');
    expect(recorded.headers['anthropic-version']).toBeDefined();
    expect(recorded.body).toMatchObject({
      model: 'claude-haiku-4-5',
      stream: false,
      messages: [
        { role: 'user' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '18C and sunny' }],
        },
      ],
    });
  });

  it('knows the context window of Claude models', () => {
    const provider = createAnthropicProvider({ apiKey: 'k' });
    expect(provider.contextWindow('claude-opus-4-1')).toBe(200_000);
    expect(provider.contextWindow('gpt-4o')).toBeUndefined();
    expect(provider.supportsPrefill).toBe(true);
  });
});
