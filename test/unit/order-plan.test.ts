import { OrderStateConflictError } from '../../lambda/checkout/model/errors.js';
import type { Order, Refund } from '../../lambda/checkout/model/order.js';
import { afterShardRemoved, release, reserve, restock, sell } from '../../lambda/checkout/model/stock.js';
import { type LifecycleEvent, planChange, planNewOrder } from '../../lambda/checkout/plans/order-plan.js';

const AT = new Date('2026-11-27T10:05:00.000Z');
const hold = { purchaseToken: 'MUG', quantity: 2 };

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'O1',
    status: 'RESERVED',
    version: 1,
    purchaseToken: 'MUG',
    product: { sku: 'S', description: 'Mug', unitPriceMinor: 1000, currency: 'SEK', taxRatePercent: 25 },
    quantity: 2,
    totalMinor: 2000,
    currency: 'SEK',
    customer: {
      clientName: 'A',
      email: 'a@b.se',
      msisdn: '',
      street: 's',
      zip: '1',
      city: 'c',
      state: '',
      country: 'SE',
    },
    stock: [hold],
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:00:00.000Z',
    history: [{ status: 'RESERVED', at: '2026-11-27T10:00:00.000Z' }],
    ...overrides,
  };
}
const pending = (amountMinor: number, restock = false, refundId = 'R1'): Refund => ({
  refundId,
  amountMinor,
  status: 'PENDING',
  requestedAt: AT.toISOString(),
  restock,
});

describe('the stock effects of each move', () => {
  it('reserve guards and holds; release and sell undo it; restock puts a sold unit back', () => {
    expect(reserve(hold)).toEqual({
      purchaseToken: 'MUG',
      onHand: 0,
      reserved: 2,
      sold: 0,
      requireAvailable: 2,
      requireActive: true,
    });
    expect(release(hold)).toEqual({ purchaseToken: 'MUG', onHand: 0, reserved: -2, sold: 0 });
    expect(sell(hold)).toEqual({ purchaseToken: 'MUG', onHand: -2, reserved: -2, sold: 2 });
    expect(restock(hold)).toEqual({ purchaseToken: 'MUG', onHand: 2, reserved: 0, sold: -2 });
  });
});

describe('a change whose shard a re-spread took away', () => {
  const onShard = { purchaseToken: 'MUG', quantity: 1, shard: 2 };
  it('a restock follows its sold units to the product item; nothing else has anywhere to go', () => {
    expect(afterShardRemoved(restock(onShard))).toEqual({
      purchaseToken: 'MUG',
      onHand: 1,
      reserved: 0,
      sold: -1,
    });
    expect(afterShardRemoved(reserve(onShard))).toBeUndefined();
    expect(afterShardRemoved(release(onShard))).toBeUndefined();
    expect(afterShardRemoved(sell(onShard))).toBeUndefined();
    expect(afterShardRemoved(restock({ purchaseToken: 'MUG', quantity: 1 }))).toBeUndefined();
  });
});

describe('planNewOrder', () => {
  it('writes version 1 only where no order exists, reserving every unit it holds', () => {
    const { version: _version, ...fresh } = order();
    const change = planNewOrder(fresh);
    expect(change).toEqual({
      expected: 'new',
      order: { ...fresh, version: 1 },
      stock: [reserve(hold)],
      request: undefined,
      counters: [],
      lookups: { add: [{ key: 'email:a@b.se', at: fresh.createdAt }], remove: [] },
    });
  });

  it.each([
    ['an order that is not RESERVED', { status: 'INVOICED' as const }],
    ['an order that holds nothing', { stock: [] }],
    ['an order already written', { version: 1 }],
  ])('refuses %s', (_name, overrides) => {
    const { version: _version, ...fresh } = order();
    expect(() => planNewOrder({ ...fresh, ...overrides })).toThrow(OrderStateConflictError);
  });
});

describe('planChange: the state machine, with what each move writes', () => {
  const plan = (current: Order, event: LifecycleEvent) => planChange(current, event, AT);

  it('an order that ends unpaid records why in its history, and cannot end without a reason', () => {
    const invoiced = order({ status: 'INVOICED' });
    expect(plan(order(), { type: 'failed', reason: 'sendInvoice failed' }).order.history.at(-1)).toEqual({
      status: 'FAILED',
      at: AT.toISOString(),
      reason: 'sendInvoice failed',
    });
    expect(plan(invoiced, { type: 'canceled', reason: 'declined' }).order.history.at(-1)?.reason).toBe(
      'declined',
    );
    expect(() => plan(order(), { type: 'failed', reason: ' ' })).toThrow(/needs a reason/);
    expect(() => plan(invoiced, { type: 'canceled', reason: '' })).toThrow(/needs a reason/);
  });

  it('INVOICED records the reference and version 0, a compare-and-set on the version read', () => {
    const change = plan(order(), { type: 'invoiced', invoiceReference: '123' });
    expect(change.expected).toEqual({ version: 1, status: 'RESERVED' });
    expect(change.order).toMatchObject({
      status: 'INVOICED',
      version: 2,
      invoiceReference: '123',
      invoiceVersion: 0,
      updatedAt: AT.toISOString(),
    });
    expect(change.order.history.at(-1)).toEqual({ status: 'INVOICED', at: AT.toISOString() });
    expect(change.stock).toEqual([]);
  });

  it('PAID commits: references, the date Glase gave, the version, and the units sold', () => {
    const change = plan(order({ status: 'INVOICED', version: 2 }), {
      type: 'paid',
      paidAt: '2026-11-27T09:04:00.000Z',
      invoiceVersion: 1,
      ersReference: 'E1',
      paymentReference: 'P1',
    });
    expect(change.order).toMatchObject({
      status: 'PAID',
      version: 3,
      ersReference: 'E1',
      paymentReference: 'P1',
      paidAt: '2026-11-27T09:04:00.000Z',
      invoiceVersion: 1,
    });
    expect(change.stock).toEqual([sell(hold)]);
  });

  it('CANCELED and FAILED release the units and record why, in the history too', () => {
    const canceled = plan(order({ status: 'INVOICED' }), {
      type: 'canceled',
      reason: 'declined',
      invoiceVersion: 2,
    });
    expect(canceled.order).toMatchObject({ status: 'CANCELED', invoiceVersion: 2 });
    expect(canceled.order.history.at(-1)).toEqual({
      status: 'CANCELED',
      at: AT.toISOString(),
      reason: 'declined',
    });
    expect(canceled.stock).toEqual([release(hold)]);
    const withoutVersion = plan(order({ status: 'INVOICED', invoiceVersion: 4 }), {
      type: 'canceled',
      reason: 'x',
    });
    expect(withoutVersion.order.invoiceVersion).toBe(4);
    const failed = plan(order(), { type: 'failed', reason: 'Glase down' });
    expect(failed.order).toMatchObject({ status: 'FAILED', failureReason: 'Glase down' });
    expect(failed.order.history.at(-1)?.reason).toBe('Glase down');
    expect(failed.stock).toEqual([release(hold)]);
  });

  it.each([
    ['RESERVED', { type: 'paid', paidAt: 'x', invoiceVersion: 1 }],
    ['PAID', { type: 'canceled', reason: 'x' }],
    ['FAILED', { type: 'invoiced', invoiceReference: '1' }],
    ['CANCELED', { type: 'failed', reason: 'x' }],
    ['REFUNDED', { type: 'refund-requested', refund: pending(1) }],
    ['RESERVED', { type: 'refund-requested', refund: pending(1) }],
    ['PAID', { type: 'invoice-version', invoiceVersion: 5 }],
  ] as const)('refuses from %s: %j', (status, event) => {
    expect(() => plan(order({ status }), event as LifecycleEvent)).toThrow(OrderStateConflictError);
  });

  it('a newer invoice version is recorded without a move; an older or equal one is refused', () => {
    const invoiced = order({ status: 'INVOICED', invoiceVersion: 1 });
    const change = plan(invoiced, { type: 'invoice-version', invoiceVersion: 2 });
    expect(change.order).toMatchObject({ status: 'INVOICED', invoiceVersion: 2, version: 2 });
    expect(change.order.history).toEqual(invoiced.history);
    expect(() => plan(invoiced, { type: 'invoice-version', invoiceVersion: 1 })).toThrow(
      OrderStateConflictError,
    );
  });

  describe('refunds', () => {
    const paid = order({ status: 'PAID', ersReference: 'E1' });

    it('a requested refund is recorded as pending; none may start while one is', () => {
      const change = plan(paid, { type: 'refund-requested', refund: pending(500) });
      expect(change.order).toMatchObject({ status: 'PAID', pendingRefundId: 'R1', refunds: [pending(500)] });
      expect(change.stock).toEqual([]);
      expect(() => plan(change.order, { type: 'refund-requested', refund: pending(1, false, 'R2') })).toThrow(
        OrderStateConflictError,
      );
    });

    it('a part refund that succeeded makes it PARTIALLY_REFUNDED, with why in the history', () => {
      const requested = plan(paid, { type: 'refund-requested', refund: pending(500) }).order;
      const change = plan(requested, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: 'E2' },
      });
      expect(change.order.status).toBe('PARTIALLY_REFUNDED');
      expect(change.order.pendingRefundId).toBeUndefined();
      expect(change.order.refunds).toEqual([
        { ...pending(500), status: 'SUCCEEDED', ersReference: 'E2', completedAt: AT.toISOString() },
      ]);
      expect(change.order.history.at(-1)).toEqual({
        status: 'PARTIALLY_REFUNDED',
        at: AT.toISOString(),
        reason: 'refund R1 of 5.00 SEK',
      });
    });

    it('the refund that reaches the total makes it REFUNDED; a restock puts the units back, once', () => {
      const requested = plan(paid, { type: 'refund-requested', refund: pending(2000, true) }).order;
      const change = plan(requested, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: 'E2' },
      });
      expect(change.order).toMatchObject({ status: 'REFUNDED', restocked: true });
      expect(change.stock).toEqual([restock(hold)]);
      const again = plan(
        { ...requested, restocked: true },
        { type: 'refund-settled', refundId: 'R1', outcome: { succeeded: true, ersReference: 'E2' } },
      );
      expect(again.stock).toEqual([]);
    });

    it('a failed refund only clears the pending mark, and says why', () => {
      const requested = plan(paid, { type: 'refund-requested', refund: pending(500, true) }).order;
      const change = plan(requested, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: false, reason: 'Glase refused' },
      });
      expect(change.order).toMatchObject({ status: 'PAID', pendingRefundId: undefined });
      expect(change.order.refunds?.[0]).toMatchObject({
        status: 'FAILED',
        failure: 'Glase refused',
        completedAt: AT.toISOString(),
      });
      expect(change.stock).toEqual([]);
      expect(change.order.history).toEqual(paid.history);
    });

    it('refuses to settle a refund that is not the pending one', () => {
      const requested = plan(paid, { type: 'refund-requested', refund: pending(500) }).order;
      expect(() =>
        plan(requested, {
          type: 'refund-settled',
          refundId: 'R9',
          outcome: { succeeded: false, reason: 'x' },
        }),
      ).toThrow(OrderStateConflictError);
      expect(() =>
        plan(paid, { type: 'refund-settled', refundId: 'R1', outcome: { succeeded: false, reason: 'x' } }),
      ).toThrow(OrderStateConflictError);
    });
  });
});
