import { describe, expect, it } from 'vitest';
import { isRowRejection, rejectionText } from './postgres-rejection.js';

describe('isRowRejection', () => {
  it('is true for data exceptions and constraint violations only', () => {
    expect(isRowRejection({ code: '22021' })).toBe(true); // NUL byte / invalid encoding
    expect(isRowRejection({ code: '22003' })).toBe(true); // number out of range
    expect(isRowRejection({ code: '23514' })).toBe(true); // check constraint
    expect(isRowRejection({ code: '40P01' })).toBe(false); // deadlock: retry the batch
    expect(isRowRejection({ code: '57P01' })).toBe(false); // server shutting down
    expect(isRowRejection({ code: '08006' })).toBe(false); // connection failure
    expect(isRowRejection({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isRowRejection(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isRowRejection(undefined)).toBe(false);
  });
});

describe('rejectionText', () => {
  it('keeps the code and message, never the detail that can quote the row', () => {
    const error = Object.assign(new Error('new row violates check constraint "x"'), {
      code: '23514',
      detail: 'Failing row contains (secret-value)',
    });
    expect(rejectionText(error)).toBe('23514: new row violates check constraint "x"');
  });
});
