import { describe, expect, it } from 'vitest';

import { isRetryableKind } from '../../errors.js';
import { kindFromStatus, refineBadRequestKind } from './status-to-kind.js';

describe('kindFromStatus', () => {
  it.each([
    [undefined, 'network'],
    [400, 'bad_request'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [408, 'timeout'],
    [413, 'context_length'],
    [422, 'bad_request'],
    [429, 'rate_limit'],
    [499, 'timeout'],
    [500, 'server'],
    [502, 'server'],
    [503, 'overloaded'],
    [504, 'timeout'],
    [529, 'overloaded'],
  ] as const)('maps %s to %s', (status, kind) => {
    expect(kindFromStatus(status)).toBe(kind);
  });

  it('retries a vendor gateway timeout (504) and a cancelled request (499) instead of failing the caller', () => {
    for (const status of [499, 504]) expect(isRetryableKind(kindFromStatus(status))).toBe(true);
  });
});

describe('refineBadRequestKind', () => {
  it.each([
    ['prompt is too long: 215004 tokens > 200000 maximum', 'context_length'],
    ['Your credit balance is too low to access the Anthropic API.', 'auth'],
    [
      'Please ensure that multiturn requests end with a user role or a function response.',
      'unsupported_feature',
    ],
    ['messages: at least one message is required', 'bad_request'],
  ])('refines "%s" to %s', (message, kind) => {
    expect(refineBadRequestKind(message)).toBe(kind);
  });
});
