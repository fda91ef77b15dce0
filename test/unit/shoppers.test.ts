import type { PaymentStatus } from '../../lambda/checkout/model/invoice.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { webhookEventId } from '../../lambda/checkout/model/webhook.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import {
  applyRetention,
  forgetShopper,
  type ShopperDeps,
  shopperLookupKey,
  shopperRecords,
} from '../../lambda/checkout/use-cases/shoppers.js';
import { deliverWebhook } from '../../lambda/checkout/use-cases/webhooks.js';
import { orderEventView } from '../../lambda/checkout/views/order-view.js';
import { InMemoryMailLog, InMemoryWebhookLog, RecordingPoster } from '../support/in-memory.js';
import { REQUEST, unitShop } from '../support/shop.js';

const PAID: PaymentStatus = {
  status: 'PAID',
  version: 1,
  ersReference: 'E1',
  paymentReference: 'P1',
  paidAt: '2026-11-27T10:00:01.000Z',
};
const SHOPPER = {
  ...REQUEST,
  clientName: 'Åsa Privat',
  email: 'Asa.Privat+shop@Example.com',
  msisdn: '+46 70 123 45 67',
  street: 'Hemvägen 2',
  zip: '123 45',
};

async function shopWithOrders() {
  const shop = await unitShop();
  const mailLog = new InMemoryMailLog();
  const webhookLog = new InMemoryWebhookLog();
  const deps: ShopperDeps = { store: shop.store, mailLog, webhookLog, clock: shop.clock };
  const paid = async (request = SHOPPER): Promise<Order> => {
    const { orderId } = await createPurchase(shop.purchase, request);
    shop.glase.script('getPaymentStatus', PAID);
    const { order } = await completePayment(shop.settlement, (await shop.store.getOrder(orderId)) as Order);
    // What the world holds besides the order: the mail sent, the webhook delivered.
    await mailLog.claim(`${orderId}#paid`, { now: 0, leaseUntil: 1, expiresAt: 2_000_000_000 });
    await mailLog.markSent(`${orderId}#paid`);
    await deliverWebhook(
      {
        log: webhookLog,
        poster: new RecordingPoster(),
        clock: shop.clock,
        targets: [{ id: 'shop', url: 'https://s.example', events: [] }],
      },
      { type: 'OrderPaid', data: orderEventView(order, true) },
    );
    return order;
  };
  return { ...shop, deps, mailLog, webhookLog, paid };
}

const PERSONAL = ['clientName', 'street', 'zip', 'email', 'msisdn'] as const;

describe("a shopper's personal data: access (Art. 15) and erasure (Art. 17)", () => {
  it('an access request finds every order by e-mail in any form, or by phone, with the mails and webhook deliveries about them', async () => {
    const shop = await shopWithOrders();
    const order = await shop.paid();
    for (const term of [
      'asa.privat@example.com',
      'ASA.PRIVAT+other@example.com',
      '070-123 45 67',
      '+46701234567',
    ]) {
      const records = await shopperRecords(shop.deps, term);
      expect(records.orders.map((one) => one.orderId)).toEqual([order.orderId]);
    }
    const records = await shopperRecords(shop.deps, SHOPPER.email);
    expect(records.orders[0]?.customer.clientName).toBe('Åsa Privat');
    expect(records.mails).toEqual([{ key: `${order.orderId}#paid`, state: 'SENT' }]);
    expect(records.webhookDeliveries.map((one) => one.eventId)).toEqual([
      webhookEventId('OrderPaid', order.orderId),
    ]);
    expect(records.webhookDeliveries[0]?.body).toContain('Åsa Privat');
    expect(() => shopperLookupKey('12')).toThrow('give an e-mail address or a phone number');
  });

  it('erasure removes every personal field, lookup, mail record and webhook body, and keeps what the books need', async () => {
    const shop = await shopWithOrders();
    const order = await shop.paid();
    const result = await forgetShopper(shop.deps, '070 123 45 67');
    expect(result).toEqual({
      forgotten: [order.orderId],
      open: [],
      mailsForgotten: 1,
      webhookDeliveriesForgotten: 1,
    });
    const after = (await shop.store.getOrder(order.orderId)) as Order;
    for (const field of PERSONAL) expect(after.customer[field]).toBe('');
    expect(after.customer).toMatchObject({ city: order.customer.city, country: order.customer.country });
    expect(after.forgottenAt).toBe(shop.clock.now().toISOString());
    // The books: amounts, VAT rates, dates, references, unchanged.
    const {
      customer: _a,
      forgottenAt: _b,
      updatedAt: _c,
      history: _d,
      version: _e,
      shopperCounters: _f,
      ...kept
    } = after;
    const { customer: _g, updatedAt: _h, history: _i, version: _j, shopperCounters: _k, ...before } = order;
    expect(kept).toEqual(before);
    expect(JSON.stringify(after)).not.toMatch(/Åsa|Privat|Hemvägen|123 45|70123/i);
    expect(await shopperRecords(shop.deps, SHOPPER.email)).toMatchObject({
      orders: [],
      mails: [],
      webhookDeliveries: [],
    });
    expect(await shopperRecords(shop.deps, SHOPPER.msisdn)).toMatchObject({ orders: [] });
    expect(shop.mailLog.claims.size).toBe(0);
    expect(shop.webhookLog.items.size).toBe(0);
    // Asked again: nothing left to find, nothing changed.
    expect(await forgetShopper(shop.deps, SHOPPER.email)).toEqual({
      forgotten: [],
      open: [],
      mailsForgotten: 0,
      webhookDeliveriesForgotten: 0,
    });
  });

  it('an open order (an unpaid invoice) keeps its shopper until it closes, and is named', async () => {
    const shop = await shopWithOrders();
    const paid = await shop.paid();
    const { orderId: open } = await createPurchase(shop.purchase, { ...SHOPPER, clientName: 'Åsa Again' });
    const result = await forgetShopper(shop.deps, SHOPPER.email);
    expect(result.forgotten).toEqual([paid.orderId]);
    expect(result.open).toEqual([open]);
    expect((await shop.store.getOrder(open))?.customer.clientName).toBe('Åsa Again');
  });
});

describe('the retention period', () => {
  it('erases the shopper of closed orders older than the period, only those, and a second run finds nothing to do', async () => {
    const shop = await shopWithOrders();
    const old = await shop.paid();
    shop.clock.advance(10 * 86_400_000);
    const recent = await shop.paid({ ...SHOPPER, email: 'recent@example.com', clientName: 'Recent Shopper' });
    const first = await applyRetention(shop.deps, { days: 5 });
    expect(first).toEqual({ forgotten: 1, scanned: 1 });
    expect((await shop.store.getOrder(old.orderId))?.customer.clientName).toBe('');
    expect((await shop.store.getOrder(recent.orderId))?.customer.clientName).toBe('Recent Shopper');
    expect(shop.mailLog.claims.has(`${old.orderId}#paid`)).toBe(false);
    expect(shop.mailLog.claims.has(`${recent.orderId}#paid`)).toBe(true);
    const again = await applyRetention(shop.deps, { days: 5 });
    expect(again).toEqual({ forgotten: 0, scanned: 1 });
  });

  it('a scheduled run looks only a window back past the cutoff; without one, to the beginning', async () => {
    const shop = await shopWithOrders();
    const ancient = await shop.paid();
    shop.clock.advance(30 * 86_400_000);
    expect(await applyRetention(shop.deps, { days: 5, windowDays: 2 })).toEqual({ forgotten: 0, scanned: 0 });
    expect(await applyRetention(shop.deps, { days: 5 })).toEqual({ forgotten: 1, scanned: 1 });
    expect((await shop.store.getOrder(ancient.orderId))?.forgottenAt).toBeDefined();
  });

  it('stops at its limit and goes on the next run', async () => {
    const shop = await shopWithOrders();
    await shop.paid();
    await shop.paid({ ...SHOPPER, email: 'two@example.com' });
    shop.clock.advance(10 * 86_400_000);
    expect((await applyRetention(shop.deps, { days: 5, limit: 1 })).forgotten).toBe(1);
    expect((await applyRetention(shop.deps, { days: 5, limit: 1 })).forgotten).toBe(1);
    expect((await applyRetention(shop.deps, { days: 5, limit: 1 })).forgotten).toBe(0);
  });
});
