import { OrderStateConflictError } from '../../lambda/checkout/model/errors.js';
import type { PaymentStatus } from '../../lambda/checkout/model/invoice.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { cancelInvoiced, completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { overridden, unavailable } from '../support/in-memory.js';
import { REQUEST, unitShop } from '../support/shop.js';

async function invoicedShop() {
  const shop = await unitShop();
  const { orderId } = await createPurchase(shop.purchase, REQUEST);
  const order = (await shop.store.getOrder(orderId)) as Order;
  return { ...shop, order };
}
const PAID: PaymentStatus = {
  status: 'PAID',
  version: 1,
  ersReference: 'E1',
  paymentReference: 'P1',
  paidAt: '2026-11-27T09:01:02.345Z',
};

describe('completePayment', () => {
  it('PAID commits the order, sells the unit and announces OrderPaid', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', PAID);
    const settlement = await completePayment(shop.settlement, shop.order, { deadline: 123 });
    expect(settlement.outcome).toBe('paid');
    expect(settlement.order).toMatchObject({
      status: 'PAID',
      ersReference: 'E1',
      paymentReference: 'P1',
      paidAt: PAID.paidAt,
      invoiceVersion: 1,
    });
    expect(await shop.store.getOrder(shop.order.orderId)).toEqual(settlement.order);
    expect(await shop.stock()).toEqual({ onHand: 4, reserved: 0, available: 4, sold: 1 });
    expect(shop.events.published.map((event) => [event.type, event.order.orderId])).toEqual([
      ['OrderPaid', shop.order.orderId],
    ]);
    expect(shop.glase.callsTo('getPaymentStatus')[0]).toMatchObject({
      budget: { deadline: 123 },
      request: {
        orderId: shop.order.orderId,
        invoiceReference: shop.order.invoiceReference,
        invoiceVersion: 0,
      },
    });
  });

  it('a PAID answer without a date is dated by our clock', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: 'E1' });
    const settlement = await completePayment(shop.settlement, shop.order);
    expect(settlement.order.paidAt).toBe(shop.clock.now().toISOString());
  });

  it.each(['CANCELED', 'FAILED'] as const)(
    '%s at Glase cancels the order, gives the unit back, announces OrderCanceled',
    async (status) => {
      const shop = await invoicedShop();
      shop.glase.script('getPaymentStatus', { status, version: 2 });
      const settlement = await completePayment(shop.settlement, shop.order);
      expect(settlement.outcome).toBe('canceled');
      expect(settlement.order.history.at(-1)?.reason).toBe(`invoice ${status.toLowerCase()} at Glase`);
      expect(await shop.stock()).toMatchObject({ reserved: 0, available: 5 });
      expect(shop.events.published.map((event) => event.type)).toEqual(['OrderCanceled']);
    },
  );

  it('anything else waits, recording a newer invoice version for the next ask', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', { status: 'ISSUED', version: 3 }, { status: 'ISSUED', version: 3 });
    const settlement = await completePayment(shop.settlement, shop.order);
    expect(settlement).toMatchObject({ outcome: 'pending', invoiceStatus: 'ISSUED' });
    const stored = (await shop.store.getOrder(shop.order.orderId)) as Order;
    expect(stored).toMatchObject({ status: 'INVOICED', invoiceVersion: 3 });
    await completePayment(shop.settlement, stored);
    expect(shop.glase.callsTo('getPaymentStatus')[1]?.request).toMatchObject({ invoiceVersion: 3 });
    expect((await shop.store.getOrder(shop.order.orderId))?.version).toBe(stored.version);
    expect(shop.events.published).toEqual([]);
  });

  it('a settled or never-invoiced order is left alone, and Glase is not asked', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', PAID);
    const paid = (await completePayment(shop.settlement, shop.order)).order;
    expect(await completePayment(shop.settlement, paid)).toEqual({ outcome: 'unchanged', order: paid });
    expect(shop.glase.callsTo('getPaymentStatus')).toHaveLength(1);
  });

  it('waits a while for an INVOICED write that has not landed yet, then settles', async () => {
    const shop = await invoicedShop();
    const reserved = { ...shop.order, status: 'RESERVED' as const, invoiceReference: undefined };
    let reads = 0;
    const store = overridden(shop.store, {
      getOrder: async (id) => (++reads < 2 ? reserved : shop.store.getOrder(id)),
    });
    shop.glase.script('getPaymentStatus', PAID);
    const settlement = await completePayment({ ...shop.settlement, store }, reserved);
    expect(settlement.outcome).toBe('paid');
    expect(reads).toBe(2);
  });

  it('gives up waiting after three looks and changes nothing', async () => {
    const shop = await invoicedShop();
    const reserved = { ...shop.order, status: 'RESERVED' as const, invoiceReference: undefined };
    const store = overridden(shop.store, { getOrder: async () => reserved });
    const slept: number[] = [];
    const settlement = await completePayment(
      { ...shop.settlement, store, sleep: async (ms) => void slept.push(ms) },
      reserved,
    );
    expect(settlement).toEqual({ outcome: 'unchanged', order: reserved });
    expect(slept).toEqual([300, 300, 300]);
  });

  it('when another writer settled it first: theirs stands, no second event', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', PAID, PAID);
    await completePayment(shop.settlement, shop.order);
    const late = await completePayment(shop.settlement, { ...shop.order, status: 'INVOICED' });
    expect(late.outcome).toBe('unchanged');
    expect(late.order.status).toBe('PAID');
    expect(shop.events.published).toHaveLength(1);
    expect((await shop.stock()).sold).toBe(1);
  });

  it('when only the invoice version moved under it: reads again and commits', async () => {
    const shop = await invoicedShop();
    const stale = shop.order;
    shop.glase.script('getPaymentStatus', { status: 'ISSUED', version: 2 });
    await completePayment(shop.settlement, stale); // version moved: 1 → 2 writes later
    shop.glase.script('getPaymentStatus', PAID);
    const settlement = await completePayment(shop.settlement, stale);
    expect(settlement.outcome).toBe('paid');
  });

  it('a lost event is reported, and never undoes the commit', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', PAID);
    shop.events.failWith = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    const settlement = await completePayment(shop.settlement, shop.order);
    expect(settlement.outcome).toBe('paid');
    expect(shop.warnings).toEqual([
      {
        message: 'could not publish an order event',
        details: { type: 'OrderPaid', orderId: shop.order.orderId, error: 'ThrottlingException' },
      },
    ]);
  });

  it('Glase unavailable reaches the caller; nothing changes', async () => {
    const shop = await invoicedShop();
    shop.glase.script('getPaymentStatus', unavailable());
    await expect(completePayment(shop.settlement, shop.order)).rejects.toThrow('could not be reached');
    expect(await shop.store.getOrder(shop.order.orderId)).toEqual(shop.order);
  });
});

describe('cancelInvoiced', () => {
  it('withdraws the invoice at Glase, cancels the order with the reason, gives the unit back', async () => {
    const shop = await invoicedShop();
    const settlement = await cancelInvoiced(shop.settlement, shop.order, 'cancelled by operator');
    expect(settlement.outcome).toBe('canceled');
    expect(settlement.order.history.at(-1)?.reason).toBe('cancelled by operator');
    expect(shop.glase.callsTo('cancelInvoice').map((call) => call.request)).toEqual([
      shop.order.invoiceReference,
    ]);
    expect(await shop.stock()).toMatchObject({ reserved: 0, available: 5 });
  });

  it.each([
    ['already paid (50)', 50, PAID, 'paid'],
    ['already cancelled (95)', 95, { status: 'CANCELED', version: 2 } as PaymentStatus, 'canceled'],
  ])('when Glase says %s, its state decides', async (_name, code, status, outcome) => {
    const shop = await invoicedShop();
    shop.glase.script('cancelInvoice', rejection('cancelInvoice', code, ''));
    shop.glase.script('getPaymentStatus', status);
    expect((await cancelInvoiced(shop.settlement, shop.order, 'expired')).outcome).toBe(outcome);
  });

  it('any other Glase failure reaches the caller, and the order stays INVOICED', async () => {
    const shop = await invoicedShop();
    shop.glase.script('cancelInvoice', rejection('cancelInvoice', 51, ''));
    await expect(cancelInvoiced(shop.settlement, shop.order, 'x')).rejects.toMatchObject({
      refusal: 'invoice-in-progress',
    });
    expect((await shop.store.getOrder(shop.order.orderId))?.status).toBe('INVOICED');
  });

  it('refuses an order that is not INVOICED without calling Glase', async () => {
    const shop = await invoicedShop();
    await expect(
      cancelInvoiced(shop.settlement, { ...shop.order, status: 'PAID' }, 'x'),
    ).rejects.toBeInstanceOf(OrderStateConflictError);
    expect(shop.glase.callsTo('cancelInvoice')).toEqual([]);
  });
});
