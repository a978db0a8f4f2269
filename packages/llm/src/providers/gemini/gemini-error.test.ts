import {
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
} from '@google/generative-ai';
import { describe, expect, it } from 'vitest';

import { toGeminiLlmError } from './gemini-error.js';

function fetchError(status: number, message: string, details?: unknown[]) {
  return new GoogleGenerativeAIFetchError(
    `Error fetching from https://x: [${status} Status] ${message}`,
    status,
    'Status',
    details as never,
  );
}

describe('toGeminiLlmError', () => {
  it.each([
    [400, 'User location is not supported for the API use.', 'auth', undefined],
    [
      400,
      'API key not valid. Please pass a valid API key.',
      'auth',
      [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
    ],
    [
      400,
      'The input token count (1050000) exceeds the maximum number of tokens allowed (1048576).',
      'context_length',
      undefined,
    ],
    [
      400,
      'Please ensure that multiturn requests end with a user role or a function response.',
      'unsupported_feature',
      undefined,
    ],
    [400, 'Invalid JSON payload received. Unknown name "foo": Cannot find field.', 'bad_request', undefined],
    [403, "Method doesn't allow unregistered callers", 'auth', undefined],
    [404, 'models/gemini-9 is not found for API version v1beta', 'not_found', undefined],
    [500, 'An internal error has occurred.', 'server', undefined],
    [503, 'The model is overloaded. Please try again later.', 'overloaded', undefined],
    [504, 'Deadline expired before operation could complete.', 'timeout', undefined],
  ] as Array<[number, string, string, unknown[] | undefined]>)(
    'classifies %i "%s" as %s',
    (status, message, kind, details) => {
      expect(toGeminiLlmError(fetchError(status, message, details), 'gemini', undefined)).toMatchObject({
        kind,
        status,
      });
    },
  );

  it('takes retryAfterMs from RetryInfo, or from retry-after when there is none', () => {
    const retryInfo = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '43s' }];
    expect(toGeminiLlmError(fetchError(429, 'quota', retryInfo), 'gemini', undefined).retryAfterMs).toBe(
      43_000,
    );
    expect(
      toGeminiLlmError(fetchError(429, 'quota'), 'gemini', undefined, new Headers({ 'retry-after': '5' }))
        .retryAfterMs,
    ).toBe(5_000);
  });

  it('tells transport failures apart by the SDK wording', () => {
    expect(
      toGeminiLlmError(
        new GoogleGenerativeAIAbortError('Request aborted when reading from the stream'),
        'g',
        undefined,
      ).kind,
    ).toBe('timeout');
    expect(
      toGeminiLlmError(new GoogleGenerativeAIError('Error reading from the stream'), 'g', undefined).kind,
    ).toBe('network');
    expect(
      toGeminiLlmError(
        new GoogleGenerativeAIError('Error fetching from https://x: fetch failed'),
        'g',
        undefined,
      ).kind,
    ).toBe('network');
    expect(
      toGeminiLlmError(new GoogleGenerativeAIError('Error parsing JSON response: "{"'), 'g', undefined).kind,
    ).toBe('server');
  });
});
