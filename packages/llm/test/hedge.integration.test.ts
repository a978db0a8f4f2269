import { describe, expect, it } from 'vitest';
import type { ProviderTimeouts } from '../src/chat-provider.js';
import type { AttemptEvent, LlmClientOptions, UsageEvent } from '../src/client.js';
import type { Fault, Simulator } from '../src/testing/index.js';
import { drain, expectedText, fastTimeouts, fleetPerTest, request, summarize } from './helper.js';

// Hedged first token: when a stream's first token is late, the next provider starts in parallel; whichever sends a
// first token first is streamed, the other is aborted (its upstream sees the disconnect), both are recorded.

/** Timeouts far above any scheduling delay: only the hedge decides, never a timeout on a busy machine. */
const patient: ProviderTimeouts = { ...fastTimeouts, firstTokenMs: 5_000, idleMs: 5_000, totalMs: 20_000 };

const start = fleetPerTest({ deadlineMs: 30_000, hedgeAfterMs: 150 });

async function setup(
  faults: Fault[][],
  options: Partial<LlmClientOptions> = {},
  timeouts: ProviderTimeouts | ProviderTimeouts[] = patient,
) {
  const attempts: AttemptEvent[] = [];
  const usage: UsageEvent[] = [];
  const hooks = {
    onAttempt: (event: AttemptEvent) => attempts.push(event),
    onUsage: (event: UsageEvent) => usage.push(event),
  };
  const { client, fleet } = await start(faults, { hooks, ...options }, { timeouts });
  return { client, fleet, attempts, usage };
}

describe('hedged first token', () => {
  it('with a primary that is slow only sometimes: every answer complete, each loser aborted, both recorded', async () => {
    const requests = 12;
    // The hedge's first token takes 100 ms: a hedge that loses is still waiting for it, so its upstream has an
    // unfinished response to see cut off (a fast simulator may have written a whole answer into the socket before
    // the client read its first token).
    const { client, fleet, attempts, usage } = await setup([
      [],
      [{ type: 'slow_first_token', delayMs: 100 }],
    ]);
    // Warm: sockets and code paths ready, so a healthy first token comes well before the hedge delay.
    await Promise.all(
      [0, 1].map((provider) =>
        drain(client.chatStream(request(), { hedge: false, chain: [fleet.chain[provider]!] })),
      ),
    );
    const [primary, hedge] = fleet.simulators as [Simulator, Simulator];
    const warmDisconnects = [primary.clientDisconnects(), hedge.clientDisconnects()];
    const warmRequests = [primary.requests.length, hedge.requests.length];
    attempts.length = 0;
    usage.length = 0;
    primary.setFaults([{ type: 'slow_first_token', delayMs: 10_000, probability: 0.5 }]);

    const streams = Array.from({ length: requests }, () => client.chatStream(request()));
    const drained = await Promise.all(streams.map((stream) => drain(stream)));
    for (const { text, error } of drained) {
      expect(error).toBeUndefined();
      expect(text).toBe(expectedText);
    }
    const results = await Promise.all(streams.map((stream) => stream.outcome));
    const slow = primary.faultsServed('slow_first_token');
    // The seeded draw slowed some requests and not others: both paths are exercised.
    expect(slow).toBeGreaterThan(0);
    expect(slow).toBeLessThan(requests);
    // A slowed primary never wins (10 s); a fast one may still lose to the hedge on a busy machine.
    const hedgeWon = results.filter((result) => result.provider === 'p1');
    expect(hedgeWon.length).toBeGreaterThanOrEqual(slow);
    for (const result of hedgeWon) {
      expect(summarize(result.attempts)).toEqual(['p0:cancelled', 'p1:success:hedged']);
      expect(result.contributors).toEqual([{ provider: 'p1', model: 'sim-model' }]);
    }
    const primaryWon = results.filter((result) => result.provider === 'p0');
    const hedgeLost = primaryWon.filter((result) => result.attempts.length === 2);
    for (const result of primaryWon)
      expect(summarize(result.attempts)).toEqual(
        result.attempts.length === 1 ? ['p0:success'] : ['p1:cancelled:hedged', 'p0:success'],
      );
    // Every loser whose request reached its upstream was cut off there: the upstream saw the client go away. (On a
    // busy machine a loser can be cancelled before its request was even sent: there is no connection to close.)
    const losersReached = (simulator: Simulator, index: number, won: number) =>
      simulator.requests.length - warmRequests[index]! - won;
    expect(losersReached(primary, 0, primaryWon.length)).toBeLessThanOrEqual(hedgeWon.length);
    expect(losersReached(hedge, 1, hedgeWon.length)).toBeLessThanOrEqual(hedgeLost.length);
    await expect
      .poll(() => primary.clientDisconnects() - warmDisconnects[0]!)
      .toBe(losersReached(primary, 0, primaryWon.length));
    await expect
      .poll(() => hedge.clientDisconnects() - warmDisconnects[1]!)
      .toBe(losersReached(hedge, 1, hedgeWon.length));
    // Both attempts reached the hooks, the loser's cost included (estimated: nothing of its answer came back).
    const cancelled = hedgeWon.length + hedgeLost.length;
    expect(attempts.filter((event) => event.outcome === 'cancelled')).toHaveLength(cancelled);
    const loserUsage = usage.filter((event) => event.usage.estimated && event.usage.completion_tokens === 0);
    expect(loserUsage).toHaveLength(cancelled);
    expect(loserUsage.every((event) => event.usage.prompt_tokens > 0)).toBe(true);
    expect(usage).toHaveLength(requests + cancelled);
  });

  it('keeps the primary when its first token arrives before the hedge’s; the hedge is aborted', async () => {
    const { client, fleet } = await setup([
      [{ type: 'slow_first_token', delayMs: 400 }],
      [{ type: 'slow_first_token', delayMs: 10_000 }],
    ]);
    const stream = client.chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    const outcome = await stream.outcome;
    expect(outcome.provider).toBe('p0');
    expect(summarize(outcome.attempts)).toEqual(['p1:cancelled:hedged', 'p0:success']);
    await expect.poll(() => fleet.simulators[1]!.clientDisconnects()).toBe(1);
    // A hedge that lost proved nothing against its provider.
    expect((await client.providerHealth())[1]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('goes on with the hedge when the primary fails after the hedge started', async () => {
    // The primary never sends a token and times out at 400 ms; the hedge (started at 150 ms) answers at ~1 s.
    const { client } = await setup(
      [[{ type: 'stall_after_tokens', tokens: 0 }], [{ type: 'slow_first_token', delayMs: 850 }]],
      {},
      [{ ...patient, firstTokenMs: 400 }, patient],
    );
    const stream = client.chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    const outcome = await stream.outcome;
    expect(summarize(outcome.attempts)).toEqual(['p0:error:timeout', 'p1:success:hedged']);
    // The primary's timeout is evidence against it, as any timeout.
    expect((await client.providerHealth())[0]).toMatchObject({ consecutiveFailures: 1 });
  });

  it('is refused per call (hedge: false) and asked for per call (hedge: true) on a client without a default', async () => {
    const { client: hedging } = await setup(
      [[{ type: 'slow_first_token', delayMs: 10_000 }], []],
      {},
      fastTimeouts,
    );
    const refused = hedging.chatStream(request(), { hedge: false });
    expect((await drain(refused)).text).toBe(expectedText);
    expect(summarize((await refused.outcome).attempts)).toEqual(['p0:error:timeout', 'p1:success']);

    const { client: plain } = await setup([[{ type: 'slow_first_token', delayMs: 10_000 }], []], {
      hedgeAfterMs: undefined,
    });
    const asked = plain.chatStream(request(), { hedge: true });
    expect((await drain(asked)).text).toBe(expectedText);
    expect(summarize((await asked.outcome).attempts)).toEqual(['p0:cancelled', 'p1:success:hedged']);
  });

  it('rests a hung primary: overtaken every time, it trips the failure ratio and its breaker opens', async () => {
    const { client, fleet } = await setup([[{ type: 'no_response' }], []], {
      breaker: { failureThreshold: 2, failureRatio: 0.5, minimumRequests: 3 },
    });
    for (let index = 0; index < 3; index += 1)
      expect((await drain(client.chatStream(request()))).text).toBe(expectedText);
    const rested = client.chatStream(request());
    await drain(rested);
    expect((await rested.outcome).attempts[0]).toMatchObject({ provider: 'p0', skipReason: 'breaker_open' });
    expect(fleet.simulators[0]!.requests).toHaveLength(3);
  });

  it('keeps a primary that is slow now and then: being overtaken is no consecutive failure', async () => {
    const { client, fleet } = await setup(
      [[{ type: 'slow_first_token', delayMs: 2_000, times: 3 }], []],
      // Three overtaken calls in a row would open the breaker if each counted as a timeout.
      { breaker: { failureThreshold: 2, failureRatio: 0.9, minimumRequests: 10 } },
    );
    for (let index = 0; index < 3; index += 1)
      expect((await drain(client.chatStream(request()))).text).toBe(expectedText);
    const served = client.chatStream(request());
    expect((await drain(served)).text).toBe(expectedText);
    expect((await served.outcome).provider).toBe('p0');
    expect(fleet.simulators[0]!.requests).toHaveLength(4);
  });

  it('never hedges JSON answers, nor past the last provider', async () => {
    const { client, fleet } = await setup([[{ type: 'slow_first_token', delayMs: 300 }]]);
    expect((await drain(client.chatStream(request()))).text).toBe(expectedText);
    expect((await client.chat(request())).provider).toBe('p0');
    expect(fleet.simulators[0]!.requests).toHaveLength(2);
  });

  it('auto: learns the primary’s usual first-token time and hedges its slow calls that soon', async () => {
    const { client, fleet } = await setup([[], []], { hedgeAfterMs: 'auto' });
    // Before 20 first tokens, auto waits a quarter of the first-token timeout (5 s / 4); after, their p95 (>= 250 ms).
    for (let index = 0; index < 25; index += 1) await drain(client.chatStream(request()));
    expect(fleet.simulators[1]!.requests.length).toBeLessThanOrEqual(2);
    fleet.simulators[0]!.setFaults([{ type: 'slow_first_token', delayMs: 10_000, times: 1 }]);
    const startedAt = Date.now();
    const slow = client.chatStream(request());
    expect((await drain(slow)).text).toBe(expectedText);
    expect((await slow.outcome).provider).toBe('p1');
    expect(Date.now() - startedAt).toBeLessThan(1_250);
  });
});
