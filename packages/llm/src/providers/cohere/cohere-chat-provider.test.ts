import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startCohereSimulator } from '../../testing/cohere-simulator.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createCohereProvider } from './index.js';

describe('Cohere adapter on the wire', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startCohereSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('posts to /v2/chat with a bearer key, also when the base URL already names /v2', async () => {
    simulator.reset();
    const provider = createCohereProvider({ apiKey: 'co-wire-key', baseUrl: `${simulator.url}/v2/` });
    const completion = await provider.chat(
      { model: 'x', messages: [{ role: 'user', content: 'Hello' }] },
      { model: 'command-r-plus', signal: AbortSignal.timeout(10_000) },
    );
    expect(completion.choices[0]?.message.content).toMatch(/^Simulated answer about Hello/);
    expect(simulator.requests[0]?.path).toBe('/v2/chat');
    expect(simulator.requests[0]?.headers.authorization).toBe('Bearer co-wire-key');
    expect(simulator.requests[0]?.body).toMatchObject({
      model: 'command-r-plus',
      stream: false,
      messages: [{ role: 'user', content: 'Hello' }],
    });
  });

  it('does not claim prefill support and knows Command context windows', () => {
    const provider = createCohereProvider({ apiKey: 'k' });
    expect(provider.supportsPrefill).toBe(false);
    expect(provider.contextWindow('command-a-03-2025')).toBe(256_000);
    expect(provider.contextWindow('command-r-08-2024')).toBe(128_000);
    expect(provider.contextWindow('gemini-2.5-pro')).toBeUndefined();
  });
});
