import { LlmError } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import { BlockedDestinationError } from '@switchyard/net';
import { classifyFailure, failureOfStatus } from './failures.js';

describe('classifyFailure', () => {
  it.each([
    [failureOfStatus(429, 'GSC'), 'api_limit', true],
    [failureOfStatus(503, 'GSC'), 'network_error', true],
    [failureOfStatus(400, 'GSC'), 'config_error', false],
    [new LlmError('slow down', { kind: 'rate_limit', provider: 'openai', status: 429 }), 'api_limit', true],
    [
      new LlmError('refused', { kind: 'content_filter', provider: 'openai', status: 400 }),
      'config_error',
      false,
    ],
    [new BlockedDestinationError('refused'), 'config_error', false],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'network_error', true],
    [new Error('something odd'), 'unknown', true],
  ] as const)('classifies %s', (error, failureClass, retryable) => {
    expect(classifyFailure(error)).toMatchObject({ failureClass, retryable });
  });
});
