import { readFileSync } from 'node:fs';
import { GlaseRejectedError } from '../../lambda/checkout/model/errors.js';
import { RESULT_CODES, rejection } from '../../lambda/glase/result-codes.js';

describe('Glase result codes: one table, meanings for the domain', () => {
  it('names every code payment-api.md lists', () => {
    const documented = [20, 21, 23, 29, 37, 49, 50, 51, 54, 64, 90, 91, 94, 95, 96, 97, 98, 99];
    expect(
      Object.keys(RESULT_CODES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(documented);
  });

  it('calls each code by the name Glase’s document gives it, and says what it means', () => {
    // The document itself, not a copy of the table: "| 20 | AUTHENTICATION_FAILED (wrong password) | all |".
    const document = readFileSync(new URL('../../docs/glase/payment-api.md', import.meta.url), 'utf8');
    const rows = [...document.matchAll(/^\| (\d{2}) \| ([A-Z_]+)/gm)].map((row) => [Number(row[1]), row[2]]);
    expect(rows).toHaveLength(Object.keys(RESULT_CODES).length);
    for (const [code, name] of rows) {
      const known = RESULT_CODES[code as number];
      expect([code, known?.name]).toEqual([code, name]);
      // An operator reads this in the error: it must say something.
      expect([code, (known?.meaning ?? '').length > 5]).toEqual([code, true]);
      expect(rejection('sendInvoice', code as number, '').message).toContain(known?.meaning);
    }
  });

  it.each([
    [21, 'access-denied', false],
    [37, 'credentials', false],
    [64, 'invalid-notification-url', false],
    [91, 'other', false],
    [96, 'other', false],
    [50, 'invoice-paid', false],
    [95, 'invoice-canceled', false],
    [51, 'invoice-in-progress', true],
    [90, 'glase-trouble', true],
    [94, 'glase-trouble', true],
    [20, 'credentials', false],
    [29, 'credentials', false],
    [54, 'unknown-invoice', false],
    [23, 'unknown-payment', false],
    [98, 'refund-exceeds-payment', false],
    [97, 'refund-not-allowed', false],
    [99, 'refund-not-allowed', false],
    [49, 'invalid-invoice', false],
  ])('%i is %s (retryable: %s)', (code, refusal, retryable) => {
    const error = rejection('cancelInvoice', code, 'whatever Glase said');
    expect(error).toBeInstanceOf(GlaseRejectedError);
    expect(error).toMatchObject({ refusal, retryable, operation: 'cancelInvoice' });
    expect(error.detail).toBe(`${RESULT_CODES[code]?.name} (result ${code})`);
    expect(error.message).toContain(RESULT_CODES[code]?.meaning);
  });

  it('an unknown code keeps what Glase said and is final', () => {
    const error = rejection('sendInvoice', 77, ' NEW_THING \n');
    expect(error).toMatchObject({ refusal: 'other', retryable: false, detail: 'NEW_THING (result 77)' });
    expect(error.message).toContain('Glase said no');
    expect(rejection('sendInvoice', 77, '  ').detail).toBe('UNKNOWN (result 77)');
  });
});
