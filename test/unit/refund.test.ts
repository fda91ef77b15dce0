import { OrderNotFoundError, RefundPendingError, RefusedError } from '../../lambda/checkout/model/errors.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import { refund, resolvePendingRefund } from '../../lambda/checkout/use-cases/refund.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { unavailable } from '../support/in-memory.js';
import { REQUEST, unitShop } from '../support/shop.js';

async function paidShop() {
  const shop = await unitShop();
  const { orderId } = await createPurchase(shop.purchase, REQUEST);
  shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: '5550001' });
  await completePayment(shop.settlement, (await shop.store.getOrder(orderId)) as Order);
  return { ...shop, orderId };
}

describe('refund', () => {
  it('refunds in part, then the rest: Glase gets the payment reference and the amounts, the order says what happened', async () => {
    const shop = await paidShop();
    const part = await refund(shop.refund, { orderId: shop.orderId, amountMinor: 4900 });
    expect(part).toMatchObject({ status: 'PARTIALLY_REFUNDED', pendingRefundId: undefined });
    expect(part.refunds).toEqual([
      expect.objectContaining({
        refundId: 'R1',
        amountMinor: 4900,
        status: 'SUCCEEDED',
        ersReference: expect.any(String),
      }),
    ]);
    expect(shop.glase.callsTo('refundPayment')[0]?.request).toEqual({
      orderId: shop.orderId,
      refundId: 'R1',
      paymentErsReference: '5550001',
      amountMinor: 4900,
      currency: 'SEK',
      title: 'Test Shop',
      cashierId: 'till-1',
    });
    const rest = await refund(shop.refund, { orderId: shop.orderId });
    expect(rest.status).toBe('REFUNDED');
    expect(rest.refunds?.[1]).toMatchObject({ amountMinor: 10000, status: 'SUCCEEDED' });
    expect(await shop.stock()).toEqual({ onHand: 4, reserved: 0, available: 4, sold: 1 });
  });

  it('restocks once, when asked', async () => {
    const shop = await paidShop();
    await refund(shop.refund, { orderId: shop.orderId, amountMinor: 100, restock: true });
    expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    await expect(
      refund(shop.refund, { orderId: shop.orderId, amountMinor: 100, restock: true, again: true }),
    ).rejects.toThrow(/was already restocked/);
  });

  it.each([
    ['an unknown order', { orderId: 'NOPE' }, OrderNotFoundError],
    [
      'more than what remains',
      { amountMinor: 20000 },
      /refund of 200.00 SEK is more than the 149.00 SEK left to refund/,
    ],
    ['a zero amount', { amountMinor: 0 }, /refund amount must be positive/],
    ['a fractional amount', { amountMinor: 1.5 }, /refund amount must be positive/],
  ])('refuses %s before calling Glase', async (_name, command, error) => {
    const shop = await paidShop();
    await expect(refund(shop.refund, { orderId: shop.orderId, ...command })).rejects.toThrow(error as never);
    expect(shop.glase.callsTo('refundPayment')).toEqual([]);
  });

  it('refuses an order that is not paid, or has no payment reference', async () => {
    const shop = await unitShop();
    const { orderId } = await createPurchase(shop.purchase, REQUEST);
    await expect(refund(shop.refund, { orderId })).rejects.toThrow(
      /is INVOICED; only PAID or PARTIALLY_REFUNDED/,
    );
    const paid = await paidShop();
    const stored = (await paid.store.getOrder(paid.orderId)) as Order;
    paid.store.orders.set(paid.orderId, { ...stored, ersReference: undefined });
    await expect(refund(paid.refund, { orderId: paid.orderId })).rejects.toThrow(/has no payment reference/);
  });

  it('a fully refunded order says so', async () => {
    const shop = await paidShop();
    await refund(shop.refund, { orderId: shop.orderId });
    await expect(refund(shop.refund, { orderId: shop.orderId })).rejects.toThrow(/is REFUNDED/);
    const partly = await paidShop();
    const stored = (await partly.store.getOrder(partly.orderId)) as Order;
    partly.store.orders.set(partly.orderId, {
      ...stored,
      status: 'PARTIALLY_REFUNDED',
      refunds: [
        {
          refundId: 'X',
          amountMinor: stored.totalMinor,
          status: 'SUCCEEDED',
          requestedAt: 'x',
          restock: false,
        },
      ],
    });
    await expect(refund(partly.refund, { orderId: partly.orderId })).rejects.toThrow(/is fully refunded/);
  });

  it('refuses the same amount twice within the window unless --again, and allows it after', async () => {
    const shop = await paidShop();
    await refund(shop.refund, { orderId: shop.orderId, amountMinor: 1000 });
    shop.clock.advance(30_000);
    await expect(refund(shop.refund, { orderId: shop.orderId, amountMinor: 1000 })).rejects.toThrow(
      /a refund of 10.00 SEK \(R1\) was made 30 s ago; this looks like the same command run twice/,
    );
    await expect(
      refund(shop.refund, { orderId: shop.orderId, amountMinor: 1000, again: true }),
    ).resolves.toMatchObject({
      status: 'PARTIALLY_REFUNDED',
    });
    shop.clock.advance(11 * 60_000);
    await expect(refund(shop.refund, { orderId: shop.orderId, amountMinor: 1000 })).resolves.toBeDefined();
  });

  it('a definite refusal from Glase is recorded as a failed refund and explained', async () => {
    const shop = await paidShop();
    shop.glase.script('refundPayment', rejection('refundPayment', 98, ''));
    await expect(refund(shop.refund, { orderId: shop.orderId, amountMinor: 100 })).rejects.toThrow(
      'Glase refused the refund: the refunds would exceed the original payment (SUM_OF_REFUNDS_CAN_NOT_BE_MORE_THAN_ORIGINAL_TRANSACTION (result 98))',
    );
    const stored = await shop.store.getOrder(shop.orderId);
    expect(stored?.status).toBe('PAID');
    expect(stored?.pendingRefundId).toBeUndefined();
    expect(stored?.refunds?.[0]).toMatchObject({
      status: 'FAILED',
      failure: expect.stringContaining('result 98'),
    });
  });

  it.each([
    ['unavailable', unavailable('refundPayment')],
    ['busy (a retryable result)', rejection('refundPayment', 90, '')],
  ])(
    'when Glase is %s the outcome is unknown: the refund stays PENDING and blocks another',
    async (_name, error) => {
      const shop = await paidShop();
      shop.glase.script('refundPayment', error);
      const pending = await refund(shop.refund, { orderId: shop.orderId, amountMinor: 100 }).catch((e) => e);
      // It says the refund is PENDING, and exactly what to run next.
      expect(pending).toBeInstanceOf(RefundPendingError);
      expect(pending.cause).toBe(error);
      expect(pending.message).toMatch(/^refund R1 of 1\.00 SEK is PENDING: /);
      expect(pending.message).toContain(`orders settle-refund ${shop.orderId} --succeeded <Glase reference>`);
      expect(pending.message).toContain(`orders settle-refund ${shop.orderId} --failed <reason>`);
      expect(await shop.store.getOrder(shop.orderId)).toMatchObject({
        status: 'PAID',
        pendingRefundId: 'R1',
      });
      await expect(refund(shop.refund, { orderId: shop.orderId, amountMinor: 100 })).rejects.toThrow(
        /refund R1 of order .* is still pending: .*orders settle-refund/,
      );
      expect(shop.glase.callsTo('refundPayment')).toHaveLength(1);
    },
  );
});

describe('resolvePendingRefund', () => {
  async function pendingShop() {
    const shop = await paidShop();
    shop.glase.script('refundPayment', unavailable('refundPayment'));
    await refund(shop.refund, { orderId: shop.orderId, restock: true }).catch(() => undefined);
    return shop;
  }

  it('records what Glase says happened: succeeded moves the order on and restocks', async () => {
    const shop = await pendingShop();
    const { order } = await resolvePendingRefund(shop.refund, shop.orderId, {
      succeeded: true,
      ersReference: ' 9009 ',
    });
    expect(order).toMatchObject({ status: 'REFUNDED', pendingRefundId: undefined, restocked: true });
    expect(order.refunds?.[0]).toMatchObject({ status: 'SUCCEEDED', ersReference: '9009' });
    expect((await shop.stock()).onHand).toBe(5);
  });

  it('failed clears the pending mark and keeps the order PAID', async () => {
    const shop = await pendingShop();
    const { order } = await resolvePendingRefund(shop.refund, shop.orderId, {
      succeeded: false,
      reason: 'never arrived',
    });
    expect(order).toMatchObject({ status: 'PAID', pendingRefundId: undefined });
    expect((await shop.stock()).onHand).toBe(4);
  });

  it('records less than was asked when Glase refunded less: the order stays partly refundable', async () => {
    const shop = await pendingShop();
    const { order } = await resolvePendingRefund(shop.refund, shop.orderId, {
      succeeded: true,
      ersReference: '9009',
      amountMinor: 4000,
    });
    expect(order.status).toBe('PARTIALLY_REFUNDED');
    expect(order.refunds?.[0]).toMatchObject({ status: 'SUCCEEDED', amountMinor: 4000 });
    expect(order.history.at(-1)?.reason).toBe('refund R1 of 40.00 SEK');
  });

  it.each([
    ['a reference that is not Glase’s form', { ersReference: 'banana' }, /"banana" is not a Glase reference/],
    ['the payment’s own reference', { ersReference: '5550001' }, /payment's own reference/],
    ['more than is pending', { ersReference: '9009', amountMinor: 14901 }, /at most the 149\.00 SEK pending/],
    ['nothing', { ersReference: '9009', amountMinor: 0 }, /more than 0/],
  ])('refuses %s and records nothing', async (_name, outcome, message) => {
    const shop = await pendingShop();
    const before = await shop.store.getOrder(shop.orderId);
    await expect(
      resolvePendingRefund(shop.refund, shop.orderId, { succeeded: true, ...outcome }),
    ).rejects.toThrow(message);
    expect(await shop.store.getOrder(shop.orderId)).toEqual(before);
  });

  it('refuses a failure without a reason', async () => {
    const shop = await pendingShop();
    await expect(
      resolvePendingRefund(shop.refund, shop.orderId, { succeeded: false, reason: '  ' }),
    ).rejects.toThrow(/say why/);
    expect((await shop.store.getOrder(shop.orderId))?.pendingRefundId).toBe('R1');
  });

  it('refuses an order with nothing pending, or no order at all', async () => {
    const shop = await paidShop();
    await expect(
      resolvePendingRefund(shop.refund, shop.orderId, { succeeded: false, reason: 'x' }),
    ).rejects.toBeInstanceOf(RefusedError);
    await expect(
      resolvePendingRefund(shop.refund, 'NOPE', { succeeded: false, reason: 'x' }),
    ).rejects.toBeInstanceOf(OrderNotFoundError);
  });
});
