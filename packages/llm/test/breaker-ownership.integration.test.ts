import { describe, expect, it } from 'vitest';
import { LlmError } from '../src/errors.js';
import {
  drain,
  expectedText,
  failsThenSlowProbe,
  fleetPerTest,
  probeInFlight,
  request,
  summarize,
} from './helper.js';

// Breakers belong to providers, not callers: only provider-side evidence opens one. A caller's unknown pinned model,
// a body that cannot be serialized, or any other mistake of the caller never moves a breaker another user relies on.

// One failure would open a breaker: anything counted against a provider shows at once.
const setup = fleetPerTest({ retry: { maxRetries: 0 }, breaker: { failureThreshold: 1 } });

/** About 16 KB of nested arrays: the SDK's JSON.stringify overflows the stack before a byte is sent. */
function deeplyNested(): unknown {
  let nested: unknown = [];
  for (let depth = 0; depth < 8_000; depth += 1) nested = [nested];
  return nested;
}

describe('a model the caller pinned', () => {
  it('20 requests for an unknown pinned model from one user, then another user is served by the primary', async () => {
    const { client, fleet } = await setup([[{ type: 'not_found', times: 20 }], []]);
    const pinned = [{ provider: 'p0', model: 'gpt-does-not-exist' }];
    for (let index = 0; index < 20; index += 1) {
      const error = await client
        .chat(request({ model: 'gpt-does-not-exist' }), {
          chain: pinned,
          pinnedModel: 'gpt-does-not-exist',
          userId: 'a',
        })
        .catch((caught: unknown) => caught);
      // The caller's own mistake, answered as such: no other provider serves a model the caller did not name.
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).kind).toBe('not_found');
    }
    const served = await client.chat(request(), { userId: 'b' });
    expect(served.provider).toBe('p0');
    expect(summarize(served.attempts)).toEqual(['p0:success']);
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
    expect((await client.providerHealth())[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('a pinned model a stream asks for is refused the same way, before any chunk', async () => {
    const { client } = await setup([[{ type: 'not_found' }], []]);
    const { chunks, error } = await drain(
      client.chatStream(request(), { chain: [{ provider: 'p0', model: 'nope' }], pinnedModel: 'nope' }),
    );
    expect(chunks).toEqual([]);
    expect((error as LlmError).kind).toBe('not_found');
  });
});

describe('a model of the chain the provider does not serve', () => {
  it('on a pinned request, a fallback entry’s unknown model is the server’s: it falls over, not a 404', async () => {
    const { client } = await setup([
      [{ type: 'server_error', times: 1 }],
      [{ type: 'not_found', times: 1 }],
      [],
    ]);
    const chain = [
      { provider: 'p0', model: 'sim-model' },
      { provider: 'p1', model: 'misconfigured-default' },
      { provider: 'p2', model: 'sim-model-mini' },
    ];
    const answered = await client.chat(request(), { chain, pinnedModel: 'sim-model' });
    expect(answered.provider).toBe('p2');
    expect(summarize(answered.attempts)).toEqual(['p0:error:server', 'p1:error:not_found', 'p2:success']);
    // Counted against that model only: the provider itself stays closed for its other models.
    expect((await client.providerHealth())[1]).toMatchObject({ provider: 'p1', state: 'closed' });
  });

  it('opens that model’s breaker only: its requests go to the fallback, the provider serves other models', async () => {
    const { client, fleet } = await setup([[{ type: 'not_found', times: 1 }], []]);
    expect(summarize((await client.chat(request())).attempts)).toEqual(['p0:error:not_found', 'p1:success']);
    expect(summarize((await client.chat(request())).attempts)).toEqual([
      'p0:skipped:breaker_open',
      'p1:success',
    ]);
    const other = await client.chat(request(), { chain: [{ provider: 'p0', model: 'sim-model-mini' }] });
    expect(other.provider).toBe('p0');
    expect(fleet.simulators[0]?.requests).toHaveLength(2);
    expect((await client.providerHealth())[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});

describe('a body that cannot be sent', () => {
  it('JSON and stream: 400 bad_request naming the field, nothing sent, no breaker moved', async () => {
    const { client, fleet } = await setup([[], []]);
    const body = request({ metadata: deeplyNested() });
    const json = await client.chat(body).catch((caught: unknown) => caught);
    const streamed = (await drain(client.chatStream(body))).error;
    for (const error of [json, streamed]) {
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject({ kind: 'bad_request', param: 'metadata', beforeSend: true });
      expect((error as LlmError).message).toBe(
        'Invalid request: the field "metadata" is nested too deeply to be sent.',
      );
    }
    expect(fleet.simulators.map((simulator) => simulator.requests.length)).toEqual([0, 0]);
    expect(await client.providerHealth()).toEqual([
      { provider: 'p0', state: 'closed', consecutiveFailures: 0 },
      { provider: 'p1', state: 'closed', consecutiveFailures: 0 },
    ]);
  });

  it('does not use up a half-open probe: the next request probes and closes the breaker', async () => {
    const { client } = await setup([[{ type: 'server_error', times: 1 }], []], {
      breaker: { failureThreshold: 1, cooldownMs: 1 },
    });
    await client.chat(request());
    await expect.poll(async () => (await client.providerHealth())[0]?.state).toBe('half_open');
    // Takes the probe slot, then fails before sending: the slot must be free again at once (not after 60 s).
    await client.chat(request({ metadata: deeplyNested() })).catch(() => undefined);
    const probe = await client.chat(request());
    expect(probe.provider).toBe('p0');
    expect((await client.providerHealth())[0]?.state).toBe('closed');
  });
});

describe('waitForProbe', () => {
  const recovering = { breaker: { failureThreshold: 1, cooldownMs: 1 } };

  it('calls that find the probe taken wait for its outcome and are served by the recovered primary', async () => {
    const { client, fleet } = await setup([failsThenSlowProbe, []], recovering);
    const { probe } = await probeInFlight(client, fleet.simulators[0]!);
    // The parallel calls of one job: all wait for the probe, none fails over or fails.
    const waiting = await Promise.all([0, 1, 2].map(() => client.chat(request(), { waitForProbe: true })));
    expect((await probe).provider).toBe('p0');
    for (const result of waiting) {
      expect(result.completion.choices[0]?.message.content).toBe(expectedText);
      expect(summarize(result.attempts)).toEqual(['p0:success']);
    }
    expect(fleet.simulators[1]?.requests).toHaveLength(1);
  });

  it('without it, the same calls skip the half-open provider', async () => {
    const { client, fleet } = await setup([failsThenSlowProbe, []], recovering);
    const { probe } = await probeInFlight(client, fleet.simulators[0]!);
    const skipping = await client.chat(request());
    expect(summarize(skipping.attempts)).toEqual(['p0:skipped:breaker_half_open', 'p1:success']);
    await probe;
  });

  it('waits no longer than the provider’s share of the deadline when the probe never reports', async () => {
    const { client, fleet } = await setup(
      [
        [
          { type: 'server_error', times: 1 },
          { type: 'no_response', times: 1 },
        ],
        [],
      ],
      recovering,
    );
    const { probe } = await probeInFlight(client, fleet.simulators[0]!);
    const startedAt = Date.now();
    const waited = await client.chat(request(), { waitForProbe: true, deadlineMs: 600 });
    // Half of 600 ms waiting for p0's probe, then the fallback.
    expect(summarize(waited.attempts)).toEqual(['p0:skipped:breaker_half_open', 'p1:success']);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(Date.now() - startedAt).toBeLessThan(600);
    await probe.catch(() => undefined);
  });
});
