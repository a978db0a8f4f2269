import { describe, expect, it } from 'vitest';
import { headlineFacts } from './result-facts.js';

describe('the facts of a task result', () => {
  it('shows an insights snapshot as its totals and the size of its lists', () => {
    const snapshot = {
      totals: { clicks: 120, impressions: 3400, breakdown: { mobile: 1 } },
      byQuery: [{ query: 'garden tools', clicks: 40 }],
      byDate: [],
    };
    expect(headlineFacts(snapshot)).toEqual([
      ['totals.clicks', 120],
      ['totals.impressions', 3400],
      ['byQuery', '1 row'],
      ['byDate', []],
    ]);
  });

  it('keeps plain fields and lists of words as they are', () => {
    expect(headlineFacts({ title: 'Acme', h1: ['Tools'], wordCount: 30 })).toEqual([
      ['title', 'Acme'],
      ['h1', ['Tools']],
      ['wordCount', 30],
    ]);
  });
});
