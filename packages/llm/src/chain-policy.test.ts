import { describe, expect, it } from 'vitest';
import {
  admit,
  attemptBudget,
  backoff,
  decide,
  endsRequest,
  hedgeDelay,
  raiseMinimumWindow,
  resolveRetryPolicy,
  screen,
  type FailedAttempt,
} from './chain-policy.js';
import type { LlmErrorKind } from './errors.js';

const policy = resolveRetryPolicy({
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryWaitMs: 500,
});
const lowest = () => 0;
const highest = () => 0.999_999;

/** A first failure with plenty of deadline left and another provider in the chain. */
function failure(overrides: Partial<FailedAttempt> = {}): FailedAttempt {
  return {
    kind: 'server',
    retryAfterMs: undefined,
    retry: 0,
    hasNext: true,
    remainingMs: 10_000,
    answerStarted: false,
    continuable: true,
    durationMs: 20,
    fallbackOnRefusal: true,
    pinnedModel: false,
    ...overrides,
  };
}

describe('resolveRetryPolicy', () => {
  it('fills in the documented defaults and keeps what was given', () => {
    expect(resolveRetryPolicy()).toEqual({
      maxRetries: 1,
      baseDelayMs: 100,
      maxDelayMs: 2_000,
      maxRetryWaitMs: 1_000,
      fastFailureMs: 2_000,
    });
    expect(resolveRetryPolicy({ maxRetries: 0 }).maxRetries).toBe(0);
  });
});

describe('backoff', () => {
  it('doubles per retry and jitters over the upper half of the step', () => {
    expect(backoff(0, undefined, policy, lowest)).toBe(50);
    expect(backoff(0, undefined, policy, highest)).toBeCloseTo(100, 3);
    expect(backoff(1, undefined, policy, lowest)).toBe(100);
    expect(backoff(2, undefined, policy, lowest)).toBe(200);
  });

  it('caps the step at maxDelayMs', () => {
    expect(backoff(10, undefined, policy, highest)).toBeCloseTo(1_000, 3);
    expect(backoff(10, undefined, policy, lowest)).toBe(500);
  });

  it('never waits less than the provider asked for', () => {
    expect(backoff(0, 3_000, policy, highest)).toBe(3_000);
    expect(backoff(0, 10, policy, lowest)).toBe(50);
  });
});

describe('decide', () => {
  it('stops at once on bad_request: another provider would refuse it too', () => {
    expect(decide(failure({ kind: 'bad_request' }), policy)).toEqual({ action: 'stop' });
    expect(decide(failure({ kind: 'bad_request', fallbackOnRefusal: false }), policy)).toEqual({
      action: 'stop',
    });
  });

  it('lets the next provider answer a content-policy refusal, unless the deployment forbids it', () => {
    expect(decide(failure({ kind: 'content_filter' }), policy)).toEqual({ action: 'fall_over' });
    expect(decide(failure({ kind: 'content_filter', fallbackOnRefusal: false }), policy)).toEqual({
      action: 'stop',
    });
  });

  it.each<LlmErrorKind>(['auth', 'not_found', 'context_length', 'unsupported_feature'])(
    'falls over at once on %s, never retrying the same provider',
    (kind) => {
      expect(decide(failure({ kind }), policy)).toEqual({ action: 'fall_over' });
    },
  );

  it.each<LlmErrorKind>(['rate_limit', 'overloaded', 'server', 'network'])(
    'retries a fast %s on the same provider after the backoff',
    (kind) => {
      expect(decide(failure({ kind }), policy, lowest)).toEqual({ action: 'retry', waitMs: 50 });
    },
  );

  it('falls over at once after a timeout: time is the budget, the breaker counts it', () => {
    expect(decide(failure({ kind: 'timeout' }), policy, lowest)).toEqual({ action: 'fall_over' });
    expect(decide(failure({ kind: 'timeout', hasNext: false }), policy, lowest)).toEqual({
      action: 'fall_over',
    });
  });

  it.each<LlmErrorKind>(['overloaded', 'server', 'network'])(
    'falls over after a slow %s instead of spending the next provider’s time on a retry',
    (kind) => {
      expect(decide(failure({ kind, durationMs: 2_000 }), policy, lowest)).toEqual({
        action: 'retry',
        waitMs: 50,
      });
      expect(decide(failure({ kind, durationMs: 2_001 }), policy, lowest)).toEqual({ action: 'fall_over' });
    },
  );

  it('waits out a short Retry-After however long the 429 took', () => {
    expect(
      decide(failure({ kind: 'rate_limit', retryAfterMs: 300, durationMs: 5_000 }), policy, lowest),
    ).toEqual({ action: 'retry', waitMs: 300 });
  });

  it('falls over once the retries of a provider are used up', () => {
    expect(decide(failure({ retry: 1 }), policy, lowest)).toEqual({ action: 'retry', waitMs: 100 });
    expect(decide(failure({ retry: 2 }), policy, lowest)).toEqual({ action: 'fall_over' });
    expect(decide(failure(), resolveRetryPolicy({ maxRetries: 0 }))).toEqual({ action: 'fall_over' });
  });

  it('falls over when the wait would not end before the deadline', () => {
    expect(decide(failure({ remainingMs: 51 }), policy, lowest)).toEqual({ action: 'retry', waitMs: 50 });
    expect(decide(failure({ remainingMs: 50 }), policy, lowest)).toEqual({ action: 'fall_over' });
    expect(decide(failure({ remainingMs: 0, hasNext: false }), policy, lowest)).toEqual({
      action: 'fall_over',
    });
  });

  it('waits out a long retry-after only when no other provider is left', () => {
    const rateLimited = failure({ kind: 'rate_limit', retryAfterMs: 2_000 });
    expect(decide(rateLimited, policy, lowest)).toEqual({ action: 'fall_over' });
    expect(decide({ ...rateLimited, hasNext: false }, policy, lowest)).toEqual({
      action: 'retry',
      waitMs: 2_000,
    });
    expect(decide(failure({ kind: 'rate_limit', retryAfterMs: 500 }), policy, lowest)).toEqual({
      action: 'retry',
      waitMs: 500,
    });
  });

  it('after the first token, continues on the next provider whatever the failure', () => {
    for (const kind of ['server', 'bad_request', 'unsupported_feature'] as const)
      expect(decide(failure({ kind, answerStarted: true, retry: 0, hasNext: false }), policy)).toEqual({
        action: 'fall_over',
      });
  });

  it('after the first token, a refusal finishes the answer as refused, never continued elsewhere', () => {
    expect(decide(failure({ kind: 'content_filter', answerStarted: true }), policy)).toEqual({
      action: 'finish',
    });
  });

  it('after the first token, ends the answer when it cannot be continued', () => {
    expect(decide(failure({ kind: 'network', answerStarted: true, continuable: false }), policy)).toEqual({
      action: 'stop',
    });
  });
});

describe('screen', () => {
  const provider = { contextWindow: (model: string) => (model === 'large' ? 128_000 : undefined) };

  it('skips an entry whose provider is not configured', () => {
    expect(screen(undefined, 'large', undefined)).toEqual({
      admitted: false,
      skipReason: 'provider_not_configured',
    });
  });

  it('after an overflow, admits only models with a larger known window', () => {
    expect(screen(provider, 'small', undefined)).toEqual({ admitted: true });
    expect(screen(provider, 'large', 8_192)).toEqual({ admitted: true });
    expect(screen(provider, 'large', 128_000)).toEqual({
      admitted: false,
      skipReason: 'context_window_too_small',
    });
    expect(screen(provider, 'small', 8_192)).toEqual({
      admitted: false,
      skipReason: 'context_window_too_small',
    });
  });

  it('raises the minimum window to the largest that overflowed', () => {
    expect(raiseMinimumWindow(undefined, 8_192)).toBe(8_192);
    expect(raiseMinimumWindow(32_000, 8_192)).toBe(32_000);
    expect(raiseMinimumWindow(undefined, undefined)).toBe(0);
  });
});

describe('admit', () => {
  it('lets a call through an open gate, the half-open probe included', () => {
    expect(admit({ allowed: true, probe: false })).toEqual({ admitted: true });
    expect(admit({ allowed: true, probe: true })).toEqual({ admitted: true });
  });

  it.each(['breaker_open', 'breaker_half_open', 'rate_limit_headroom'] as const)(
    'skips a provider whose gate is closed (%s), with the gate reason',
    (reason) => {
      expect(admit({ allowed: false, reason, until: Date.now() + 1_000 })).toEqual({
        admitted: false,
        skipReason: reason,
      });
    },
  );
});

describe('endsRequest', () => {
  const rules = { fallbackOnRefusal: true, pinnedModel: false };

  it('ends the request on a bad request, and on a refusal only when the next provider may not answer it', () => {
    expect(endsRequest('bad_request', rules)).toBe(true);
    expect(endsRequest('content_filter', { ...rules, fallbackOnRefusal: false })).toBe(true);
    expect(endsRequest('content_filter', rules)).toBe(false);
    expect(endsRequest('timeout', { ...rules, fallbackOnRefusal: false })).toBe(false);
  });

  it('ends the request when the model the caller named is not served; an unpinned one falls over', () => {
    expect(endsRequest('not_found', { ...rules, pinnedModel: true })).toBe(true);
    expect(endsRequest('not_found', rules)).toBe(false);
    expect(decide(failure({ kind: 'not_found', pinnedModel: true }), policy)).toEqual({ action: 'stop' });
  });
});

describe('attemptBudget', () => {
  it('keeps an equal share of the remaining deadline for every provider still in the chain', () => {
    expect(attemptBudget(60_000, 3, 45_000)).toBe(20_000);
    expect(attemptBudget(60_000, 2, 10_000)).toBe(10_000);
  });

  it('gives the last provider all that remains, up to its own limit', () => {
    expect(attemptBudget(7_000, 1, 45_000)).toBe(7_000);
    expect(attemptBudget(7_000, 1, 5_000)).toBe(5_000);
  });

  it('never goes below zero past the deadline', () => {
    expect(attemptBudget(-5, 2, 1_000)).toBe(0);
    expect(attemptBudget(100, 0, 1_000)).toBe(100);
  });
});

describe('hedgeDelay', () => {
  it('uses a fixed setting as given', () => {
    expect(hedgeDelay(400, 3_000, 10_000)).toBe(400);
  });

  it('auto: the observed p95, within [250 ms, first-token timeout / 2]', () => {
    expect(hedgeDelay('auto', 800, 10_000)).toBe(800);
    expect(hedgeDelay('auto', 40, 10_000)).toBe(250);
    expect(hedgeDelay('auto', 9_000, 10_000)).toBe(5_000);
  });

  it('auto before enough samples: a quarter of the first-token timeout, within the same bounds', () => {
    expect(hedgeDelay('auto', undefined, 10_000)).toBe(2_500);
    expect(hedgeDelay('auto', undefined, 400)).toBe(250);
  });
});
