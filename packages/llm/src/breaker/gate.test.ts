import { describe, expect, it } from 'vitest';
import { decideGate, type GateState } from './gate.js';

const now = 1_000_000;
const state = (overrides: Partial<GateState>): GateState => ({
  openUntil: 0,
  probeUntil: 0,
  rateLimitedUntil: 0,
  ...overrides,
});

describe('decideGate', () => {
  it('lets calls through a closed breaker', () => {
    expect(decideGate(state({}), now)).toEqual({ allowed: true, probe: false });
  });

  it('refuses while the provider has no rate-limit headroom, even with the breaker closed or half-open', () => {
    const refused = { allowed: false, reason: 'rate_limit_headroom', until: now + 5 };
    expect(decideGate(state({ rateLimitedUntil: now + 5 }), now)).toEqual(refused);
    expect(decideGate(state({ rateLimitedUntil: now + 5, openUntil: now - 1 }), now)).toEqual(refused);
  });

  it('lets calls through again once the rate-limit mark has passed', () => {
    expect(decideGate(state({ rateLimitedUntil: now }), now)).toEqual({ allowed: true, probe: false });
  });

  it('refuses until the cooldown ends while the breaker is open', () => {
    expect(decideGate(state({ openUntil: now + 1 }), now)).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: now + 1,
    });
  });

  it('offers the probe slot from the moment the cooldown ends', () => {
    expect(decideGate(state({ openUntil: now }), now)).toEqual({ allowed: true, probe: true });
    expect(decideGate(state({ openUntil: now - 1, probeUntil: now }), now)).toEqual({
      allowed: true,
      probe: true,
    });
  });

  it('refuses while another call holds the probe slot', () => {
    expect(decideGate(state({ openUntil: now - 1, probeUntil: now + 7 }), now)).toEqual({
      allowed: false,
      reason: 'breaker_half_open',
      until: now + 7,
    });
  });
});
