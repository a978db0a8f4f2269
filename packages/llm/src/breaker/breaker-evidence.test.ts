import { describe, expect, it } from 'vitest';
import type { LlmErrorKind } from '../errors.js';
import { breakerEvidence } from './breaker-evidence.js';

const failure = (kind: LlmErrorKind, beforeSend = false) => ({ kind, beforeSend });

describe('breakerEvidence', () => {
  it('counts a success for the provider', () => {
    expect(breakerEvidence(undefined, false)).toBe('success');
  });

  it.each<LlmErrorKind>(['rate_limit', 'overloaded', 'server', 'timeout', 'network', 'auth'])(
    'counts %s against the provider: only its side explains it',
    (kind) => {
      expect(breakerEvidence(failure(kind), false)).toBe('provider_failure');
      expect(breakerEvidence(failure(kind), true)).toBe('provider_failure');
    },
  );

  it('counts a model the provider does not serve against that model, never the provider', () => {
    expect(breakerEvidence(failure('not_found'), false)).toBe('model_failure');
  });

  it('counts nothing for a model the caller named: a wrong name is the caller’s mistake', () => {
    expect(breakerEvidence(failure('not_found'), true)).toBe('none');
  });

  it.each<LlmErrorKind>(['bad_request', 'context_length', 'content_filter', 'unsupported_feature'])(
    'counts nothing for %s: the caller’s request, neither for nor against the provider',
    (kind) => {
      expect(breakerEvidence(failure(kind), false)).toBe('none');
    },
  );

  it('counts nothing for an error raised before a byte was sent, whatever its kind', () => {
    expect(breakerEvidence(failure('bad_request', true), false)).toBe('none');
    expect(breakerEvidence(failure('network', true), false)).toBe('none');
  });
});
