import { callerToken, isCallerToken, sameSecret } from '../../lambda/checkout/model/caller-auth.js';
import { isValidSignature, signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import { orderView } from '../../lambda/checkout/views/order-view.js';
import { notificationUrl } from '../../lambda/handlers/create-purchase-handler.js';
import { anOrder, CUSTOMER } from '../support/orders.js';

describe('the public order shape (CLI --json, event detail)', () => {
  it('an unpaid order: nulls, not absent fields, for what is not known yet', () => {
    expect(orderView(anOrder())).toEqual({
      orderId: 'O1',
      status: 'INVOICED',
      purchaseToken: 'MUG',
      sku: 'S',
      description: 'Mug',
      quantity: 2,
      invoiceReference: null,
      ersReference: null,
      paymentReference: null,
      total: { value: '20.00', currency: 'SEK' },
      lines: [
        {
          purchaseToken: 'MUG',
          sku: 'S',
          description: 'Mug',
          ean: null,
          quantity: 2,
          unitPrice: { value: '10.00', currency: 'SEK' },
          discount: null,
          total: { value: '20.00', currency: 'SEK' },
          taxRatePercent: 25,
        },
      ],
      refunded: { value: '0.00', currency: 'SEK' },
      refundConfirmed: { value: '0.00', currency: 'SEK' },
      refundPending: { value: '0.00', currency: 'SEK' },
      customer: CUSTOMER,
      createdAt: '2026-11-27T10:00:00.000Z',
      updatedAt: '2026-11-27T10:01:00.000Z',
      paidAt: null,
      refunds: [],
      history: [{ status: 'RESERVED', at: '2026-11-27T10:00:00.000Z' }],
    });
  });

  it('a refunded order: references, and each refund with confirmed and pending apart', () => {
    const view = orderView(
      anOrder({
        status: 'PARTIALLY_REFUNDED',
        invoiceReference: '11',
        ersReference: '22',
        paymentReference: '33',
        paidAt: '2026-11-27T10:02:00',
        pendingRefundId: 'R2',
        refunds: [
          {
            refundId: 'R1',
            amountMinor: 500,
            status: 'SUCCEEDED',
            requestedAt: 'T1',
            restock: true,
            ersReference: '44',
            completedAt: 'T2',
          },
          { refundId: 'R2', amountMinor: 300, status: 'PENDING', requestedAt: 'T3', restock: false },
          {
            refundId: 'R0',
            amountMinor: 100,
            status: 'FAILED',
            requestedAt: 'T0',
            restock: false,
            failure: 'no',
          },
        ],
      }),
    );
    expect(view).toMatchObject({
      invoiceReference: '11',
      ersReference: '22',
      paymentReference: '33',
      paidAt: '2026-11-27T10:02:00',
      refunded: { value: '8.00', currency: 'SEK' },
      refundConfirmed: { value: '5.00', currency: 'SEK' },
      refundPending: { value: '3.00', currency: 'SEK' },
    });
    expect(view.refunds).toEqual([
      {
        refundId: 'R1',
        status: 'SUCCEEDED',
        amount: { value: '5.00', currency: 'SEK' },
        ersReference: '44',
        restock: true,
        requestedAt: 'T1',
        completedAt: 'T2',
        failure: null,
      },
      {
        refundId: 'R2',
        status: 'PENDING',
        amount: { value: '3.00', currency: 'SEK' },
        ersReference: null,
        restock: false,
        requestedAt: 'T3',
        completedAt: null,
        failure: null,
      },
      {
        refundId: 'R0',
        status: 'FAILED',
        amount: { value: '1.00', currency: 'SEK' },
        ersReference: null,
        restock: false,
        requestedAt: 'T0',
        completedAt: null,
        failure: 'no',
      },
    ]);
  });
});

describe('secrets compared in constant time', () => {
  it('the caller token is hex SHA-256 of webshopId + secret, and only that token passes', () => {
    // sha256("shop-1" + "s3cret"), a fixed vector.
    expect(callerToken('shop-1', 's3cret')).toBe(
      '45fc20de6ffe3ca5d3fec34a8f8ae87d77103a96575aa432f7f6fefc2df6be29',
    );
    expect(callerToken('shop-1', 's3cret')).not.toBe(callerToken('shop-1', 's3creT'));
    expect(callerToken('shop-1', 's3cret')).not.toBe(callerToken('shop-2', 's3cret'));
    const token = callerToken('shop-1', 's3cret');
    expect(isCallerToken(token, 'shop-1', 's3cret')).toBe(true);
    expect(isCallerToken(token.toUpperCase(), 'shop-1', 's3cret')).toBe(false);
    expect(isCallerToken(undefined, 'shop-1', 's3cret')).toBe(false);
    expect(isCallerToken(token.slice(1), 'shop-1', 's3cret')).toBe(false);
  });

  it('sameSecret: equal strings only, whatever their length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abd', 'abc')).toBe(false);
    expect(sameSecret('ab', 'abc')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
    expect(sameSecret(undefined, '')).toBe(false);
  });

  it('a notification URL carries the order id and an HMAC only the signing key makes', () => {
    const sig = signOrderId('01ABC', 'key-1');
    expect(sig).toBe('ahcKfEv1wMZmYTgqLmeoFPRfMur1Wd6Qc0fIUFtY4Fw'); // HMAC-SHA256, base64url, a fixed vector
    expect(signOrderId('01ABC', 'key-2')).not.toBe(sig);
    expect(signOrderId('01ABD', 'key-1')).not.toBe(sig);
    expect(isValidSignature('01ABC', sig, 'key-1')).toBe(true);
    expect(isValidSignature('01ABC', sig, 'key-2')).toBe(false);
    expect(isValidSignature('01ABD', sig, 'key-1')).toBe(false);
    expect(isValidSignature('01ABC', undefined, 'key-1')).toBe(false);
    expect(isValidSignature('01ABC', '', 'key-1')).toBe(false);
    expect(notificationUrl('https://shop.example/prod///', 'a b', 'key-1')).toBe(
      `https://shop.example/prod/webshop/notify/a%20b?sig=${signOrderId('a b', 'key-1')}`,
    );
  });
});
