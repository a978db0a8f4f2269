import { describe, expect, it } from 'vitest';
import { drain, expectedText, fastTimeouts, fleetPerTest, request, summarize } from './helper.js';

// Time is the budget: a hung or slow provider is left once its first-token timeout (a stream) or its share of the
// deadline (a JSON answer, whose first byte only comes with the whole answer) is spent, for the next provider at
// once and never for a retry of the same one. `fastTimeouts`: first token 400 ms, total 2 s.

/** Scheduling slack on a loaded machine: the fallback's own answer plus timer and event-loop delays. */
const margin = 300;

// Retries allowed: a timeout must still never be retried on the same provider.
const setup = fleetPerTest({ retry: { maxRetries: 3, baseDelayMs: 1 } });

describe('a hung primary (accepts the request, never answers)', () => {
  it('stream: the fallback answers within the first-token timeout plus a small margin', async () => {
    const { client, fleet } = await setup([[{ type: 'no_response' }], []]);
    const startedAt = Date.now();
    const stream = client.chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    expect(Date.now() - startedAt).toBeLessThan(fastTimeouts.firstTokenMs + margin);
    expect(summarize((await stream.outcome).attempts)).toEqual(['p0:error:timeout', 'p1:success']);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
  });

  it('JSON: the fallback answers once the primary spent its share of the deadline, plus a small margin', async () => {
    // Two providers and an 800 ms deadline: the primary gets half, the fallback the rest.
    const { client, fleet } = await setup([[{ type: 'no_response' }], []], { deadlineMs: 800 });
    const startedAt = Date.now();
    const result = await client.chat(request());
    expect(result.completion.choices[0]?.message.content).toBe(expectedText);
    expect(Date.now() - startedAt).toBeLessThan(400 + margin);
    expect(summarize(result.attempts)).toEqual(['p0:error:timeout', 'p1:success']);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
  });

  it('JSON with the default deadline: no attempt eats the time the fallback needs', async () => {
    // The primary's own total (2 s) is shorter than its share of 10 s: the total decides.
    const { client } = await setup([[{ type: 'no_response' }], []]);
    const startedAt = Date.now();
    const result = await client.chat(request());
    expect(result.provider).toBe('p1');
    expect(Date.now() - startedAt).toBeLessThan(fastTimeouts.totalMs + margin);
  });
});

describe('a primary whose first token is slow (30 s)', () => {
  const slow = { type: 'slow_first_token', delayMs: 30_000 } as const;

  it('stream: the fallback answers within the first-token timeout, and the primary sees the disconnect', async () => {
    const { client, fleet } = await setup([[slow], []]);
    const startedAt = Date.now();
    const { text, error } = await drain(client.chatStream(request()));
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    expect(Date.now() - startedAt).toBeLessThan(fastTimeouts.firstTokenMs + margin);
    await expect.poll(() => fleet.simulators[0]?.clientDisconnects()).toBe(1);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
  });

  it('JSON: the fallback answers after the primary’s share, never after a retry of the primary', async () => {
    const { client, fleet } = await setup([[slow], [], []], { deadlineMs: 1_200 });
    const startedAt = Date.now();
    const result = await client.chat(request());
    expect(result.provider).toBe('p1');
    // Three providers: the primary's share is a third of the deadline.
    expect(Date.now() - startedAt).toBeLessThan(400 + margin);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
  });
});

describe('the deadline is shared', () => {
  it('a stream whose deadline is shorter than the first-token timeout still leaves the fallback its share', async () => {
    const { client } = await setup([[{ type: 'no_response' }], []], { deadlineMs: 500 });
    const stream = client.chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    const [primary] = (await stream.outcome).attempts;
    // Half of the 500 ms deadline, not the 400 ms first-token timeout.
    expect(primary?.durationMs).toBeLessThan(400);
  });

  it('a fast 5xx is still retried on the same provider, a timeout is not', async () => {
    const { client, fleet } = await setup([[{ type: 'server_error', times: 1 }], []]);
    const result = await client.chat(request());
    expect(summarize(result.attempts)).toEqual(['p0:error:server', 'p0:success']);
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });
});
