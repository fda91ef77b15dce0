import { readFileSync } from 'node:fs';
import {
  GlaseUnavailableError,
  IdempotencyKeyReusedError,
  InvalidInputError,
  OpenOrderLimitError,
  OrderNotFoundError,
  OrderStateConflictError,
  ProductNotForSaleError,
  RefundPendingError,
  RefusedError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/model/errors.js';

const httpApi = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');

describe('typed errors: the codes callers and scripts rely on, and what they say', () => {
  it.each([
    [
      new InvalidInputError([
        { field: 'email', message: 'must be an e-mail address' },
        { field: 'zip', message: 'is required' },
      ]),
      'INVALID_INPUT',
      'email: must be an e-mail address; zip: is required',
    ],
    [new UnknownPurchaseTokenError('T1'), 'UNKNOWN_PURCHASE_TOKEN', 'no product has purchaseToken T1'],
    [new SoldOutError('T1'), 'SOLD_OUT', 'product T1 is sold out'],
    [new ProductNotForSaleError('T1'), 'NOT_FOR_SALE', 'product T1 is not for sale'],
    [
      new RequestInProgressError(),
      'REQUEST_IN_PROGRESS',
      'an identical request is in progress; retry after the time given',
    ],
    [new IdempotencyKeyReusedError(), 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was used with another body'],
    [
      new OpenOrderLimitError('T1'),
      'OPEN_ORDER_LIMIT',
      'you already have an unpaid order of T1: pay or decline it in the Glase app first',
    ],
    [new OrderNotFoundError('O1'), 'ORDER_NOT_FOUND', 'no order O1'],
    [
      new OrderNotFoundError('x@y.se', 'e-mail'),
      'ORDER_NOT_FOUND',
      'no order matches x@y.se (searched e-mail)',
    ],
    [
      new OrderStateConflictError('O1', 'PAID'),
      'ORDER_STATE_CONFLICT',
      'order O1 cannot move to PAID from its current state',
    ],
    [new RefusedError('no'), 'REFUSED', 'no'],
    [new GlaseUnavailableError('Glase timed out', 'timeout'), 'GLASE_UNAVAILABLE', 'Glase timed out'],
  ])('%p is %s', (error, code, message) => {
    expect([error.code, error.message]).toEqual([code, message]);
  });

  it('a pending refund says so, with both settle commands; Glase unavailable may be retried', () => {
    const pending = new RefundPendingError('O1', 'R1', '10.00 SEK', new Error('timed out'));
    expect(pending.code).toBe('REFUND_PENDING');
    expect(pending.message).toContain('refund R1 of 10.00 SEK is PENDING');
    expect(pending.message).toContain('orders settle-refund O1 --succeeded');
    expect(new GlaseUnavailableError('x').retryable).toBe(true);
  });

  it('every code a shopper or Glase can get is in docs/http-api.md’s error table', () => {
    const table = httpApi;
    for (const code of [
      'INVALID_INPUT',
      'NOT_AUTHENTICATED',
      'UNKNOWN_PURCHASE_TOKEN',
      'ORDER_NOT_FOUND',
      'SOLD_OUT',
      'NOT_FOR_SALE',
      'OPEN_ORDER_LIMIT',
      'REQUEST_IN_PROGRESS',
      'IDEMPOTENCY_KEY_REUSED',
      'GLASE_UNAVAILABLE',
    ]) {
      expect([code, table.includes(`\`${code}\``)]).toEqual([code, true]);
    }
  });
});
