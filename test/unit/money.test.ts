import { formatMinor, parseDecimal, sumMinor } from '../../lambda/checkout/model/money.js';

describe('money in minor units', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [100, '1.00'],
    [14900, '149.00'],
    [89999, '899.99'],
    [-250, '-2.50'],
    [123456789012, '1234567890.12'],
  ])('formats %i as %s', (minor, text) => {
    expect(formatMinor(minor)).toBe(text);
  });

  it.each([
    ['149', 14900],
    ['149.9', 14990],
    ['149.90', 14990],
    ['0.01', 1],
    [' 12.50 ', 1250],
  ])('parses %s as %i without floating point', (text, minor) => {
    expect(parseDecimal(text)).toBe(minor);
  });

  it('round-trips every cent value exactly where binary floating point would not', () => {
    // 0.1 + 0.2 style drift: 1.10 * 100 is 110.00000000000001 in floating point.
    for (let minor = 0; minor < 20000; minor += 7) {
      expect(parseDecimal(formatMinor(minor))).toBe(minor);
    }
    expect(parseDecimal('1.10')).toBe(110);
    expect(parseDecimal('4.35')).toBe(435);
  });

  it.each(['', 'abc', '1.234', '-1.00', '1,00', '1e3', '.5', '12345678901234'])('refuses %p', (text) => {
    expect(() => parseDecimal(text)).toThrow(RangeError);
  });

  it('refuses fractional or unsafe minor amounts', () => {
    expect(() => formatMinor(1.5)).toThrow(RangeError);
    expect(() => formatMinor(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });

  it('sums without leaving the safe integer range', () => {
    expect(sumMinor([14900, 89900, 1])).toBe(104801);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});
