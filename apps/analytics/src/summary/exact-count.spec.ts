import { exactCount } from './get-analytics-summary.handler.js';

describe('exactCount', () => {
  it('is a JSON number while that is exact, the decimal digits as a string past 2^53-1', () => {
    expect(exactCount('0')).toBe(0);
    expect(exactCount('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(exactCount('9007199254740992')).toBe('9007199254740992');
    expect(exactCount('123456789012345678901234567890')).toBe('123456789012345678901234567890');
  });
});
