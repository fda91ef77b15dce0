import { RefundPendingError } from '../../lambda/checkout/model/errors.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase, REPLAY_CHECK_AFTER_MS } from '../../lambda/checkout/use-cases/create-purchase.js';
import { reconcile } from '../../lambda/checkout/use-cases/reconcile.js';
import { refund } from '../../lambda/checkout/use-cases/refund.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { failingWrites, orderOf, overridden, ScriptedGlase, unavailable } from '../support/in-memory.js';
import { MUG, REQUEST, unitShop } from '../support/shop.js';

const MINUTE = 60_000;

async function shopWith(orders: { invoiced?: number; reserved?: number }) {
  const shop = await unitShop([{ ...MUG, onHand: 500 }]);
  const ids: string[] = [];
  for (let index = 0; index < (orders.invoiced ?? 0); index++) {
    ids.push(
      (await createPurchase(shop.purchase, { ...REQUEST, email: `shopper${index}@example.com` })).orderId,
    );
  }
  // A createPurchase that died right after reserving: the order stays RESERVED.
  const hanging = new ScriptedGlase();
  hanging.script(
    'sendInvoice',
    ...Array.from({ length: orders.reserved ?? 0 }, () => () => new Promise<never>(() => undefined)),
  );
  const crashed = { ...shop.purchase, glase: hanging };
  for (let index = 0; index < (orders.reserved ?? 0); index++) {
    void createPurchase(crashed, { ...REQUEST, email: `crashed${index}@example.com` });
  }
  await new Promise((resolve) => setImmediate(resolve));
  shop.clock.advance(1000); // the reconciler looks at orders created before it runs
  return { ...shop, ids };
}
const deps = (shop: Awaited<ReturnType<typeof shopWith>>, extra = {}) => ({
  ...shop.settlement,
  invoiceTtlSeconds: 900,
  ...extra,
});
const statuses = async (shop: Awaited<ReturnType<typeof shopWith>>) =>
  [...shop.store.orders.values()].map((order) => order.status).sort();

describe('reconcile', () => {
  it('counts refunds pending longer than the alert time (a metric a person acts on); a failed count is an error', async () => {
    const shop = await shopWith({ invoiced: 2 });
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: '11' });
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: '12' });
    for (const orderId of shop.ids) {
      await completePayment(shop.settlement, (await shop.store.getOrder(orderId))!);
    }
    shop.glase.script('refundPayment', unavailable('refundPayment'), unavailable('refundPayment'));
    await expect(refund(shop.refund, { orderId: shop.ids[0]! })).rejects.toBeInstanceOf(RefundPendingError);
    shop.clock.advance(30 * MINUTE);
    await expect(refund(shop.refund, { orderId: shop.ids[1]! })).rejects.toBeInstanceOf(RefundPendingError);
    const overdue = async (minutes?: number) =>
      (await reconcile(deps(shop, minutes === undefined ? {} : { refundPendingAlertMinutes: minutes })))
        .refundsPendingOverdue;
    expect(await overdue()).toBe(0);
    expect(await overdue(60)).toBe(0);
    shop.clock.advance(31 * MINUTE);
    expect(await overdue(60)).toBe(1);
    expect(await overdue(1)).toBe(2);
    const broken = {
      ...deps(shop, { refundPendingAlertMinutes: 60 }),
      store: overridden(shop.store, { countByLookup: () => Promise.reject(new Error('throttled')) }),
    };
    expect(await reconcile(broken)).toMatchObject({ refundsPendingOverdue: 0, errors: 1 });
    expect(shop.warnings.at(-1)).toMatchObject({ message: 'could not count pending refunds' });
  });

  it('fails reservations abandoned past their grace period, not younger ones, and gives their units back', async () => {
    const shop = await shopWith({ reserved: 2 });
    // The grace is twice createPurchase's 15 s timeout: no attempt can still be at work after it.
    shop.clock.advance(29_000);
    expect((await reconcile(deps(shop))).abandonedReservations).toBe(0);
    expect(await statuses(shop)).toEqual(['RESERVED', 'RESERVED']);
    shop.clock.advance(2_000);
    const report = await reconcile(deps(shop));
    expect(report).toMatchObject({ abandonedReservations: 2, errors: 0 });
    expect(await statuses(shop)).toEqual(['FAILED', 'FAILED']);
    expect([...shop.store.orders.values()][0]?.history.at(-1)?.reason).toBe(
      'reservation abandoned before invoicing',
    );
    expect(await shop.stock()).toMatchObject({ reserved: 0, available: 500 });
  });

  it('asks Glase about every INVOICED order: commits payments a notification never brought, cancels cancelled ones', async () => {
    const shop = await shopWith({ invoiced: 3 });
    shop.glase.script(
      'getPaymentStatus',
      { status: 'PAID', version: 1, ersReference: 'E1' },
      { status: 'CANCELED', version: 1 },
      { status: 'ISSUED', version: 0 },
    );
    const report = await reconcile(deps(shop));
    expect(report).toMatchObject({ paid: 1, canceled: 1, pending: 1, expired: 0, errors: 0 });
    expect(await statuses(shop)).toEqual(['CANCELED', 'INVOICED', 'PAID']);
  });

  it('withdraws an invoice unpaid past its time to live; when Glase says it was just paid, commits instead', async () => {
    const shop = await shopWith({ invoiced: 2 });
    shop.clock.advance(16 * MINUTE);
    shop.glase.script('getPaymentStatus', { status: 'ISSUED', version: 0 }, { status: 'ISSUED', version: 0 });
    shop.glase.script(
      'cancelInvoice',
      undefined,
      rejection('cancelInvoice', 50, 'CANNOT_CANCEL_PAID_INVOICE'),
    );
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: 'E9' });
    const report = await reconcile(deps(shop));
    expect(report).toMatchObject({ expired: 1, paid: 1, errors: 0 });
    const expired = [...shop.store.orders.values()].find((order) => order.status === 'CANCELED');
    expect(expired?.history.at(-1)?.reason).toBe('invoice expired unpaid');
  });

  it('counts an order it could not settle as an error, warns, and carries on with the rest', async () => {
    const shop = await shopWith({ invoiced: 2 });
    shop.glase.script('getPaymentStatus', unavailable(), { status: 'PAID', version: 1, ersReference: 'E1' });
    const report = await reconcile(deps(shop));
    expect(report).toMatchObject({ errors: 1, paid: 1 });
    expect(shop.warnings).toEqual([
      {
        message: 'could not reconcile an order',
        details: {
          orderId: shop.ids[0],
          status: 'INVOICED',
          error: 'Glase getPaymentStatus could not be reached',
        },
      },
    ]);
  });

  it('an abandoned reservation another writer settled first counts as unchanged; a failed write as an error', async () => {
    const shop = await shopWith({ reserved: 2 });
    shop.clock.advance(3 * MINUTE);
    const [first] = [...shop.store.orders.values()];
    let once = true;
    const store = overridden(shop.store, {
      apply: async (change) => {
        // Another writer fails the first one just before us.
        if (once && orderOf(change)?.orderId === first?.orderId) {
          once = false;
          await shop.store.apply(change);
        }
        return shop.store.apply(change);
      },
    });
    expect(await reconcile({ ...deps(shop), store })).toMatchObject({
      abandonedReservations: 1,
      unchanged: 1,
      errors: 0,
    });

    const broken = await shopWith({ reserved: 1 });
    broken.clock.advance(3 * MINUTE);
    const failing = failingWrites(broken.store, () => true);
    expect(await reconcile({ ...deps(broken), store: failing })).toMatchObject({
      abandonedReservations: 0,
      errors: 1,
    });
  });

  it('stops starting new work when out of time, and says how many it left for the next run', async () => {
    const shop = await shopWith({ invoiced: 12 });
    let checks = 0;
    const report = await reconcile(deps(shop, { concurrency: 5, outOfTime: () => ++checks > 1 }));
    expect(report.pending).toBe(5);
    expect(report.deferred).toBe(7);
    expect(shop.glase.callsTo('getPaymentStatus')).toHaveLength(5);
  });

  it('settles at most `concurrency` orders at once', async () => {
    const shop = await shopWith({ invoiced: 7 });
    let running = 0;
    let most = 0;
    const slow = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return { status: 'ISSUED' as const, version: 0 };
    };
    shop.glase.script('getPaymentStatus', ...Array.from({ length: 7 }, () => slow));
    expect((await reconcile(deps(shop, { concurrency: 3 }))).pending).toBe(7);
    expect(most).toBe(3);
  });

  it('pages through more open orders than one page holds', async () => {
    const shop = await shopWith({ invoiced: 105 });
    expect((await reconcile(deps(shop))).pending).toBe(105);
  });
});

describe('the order outbox', () => {
  it('keeps an event whose publish failed for the next run: at least once, never lost', async () => {
    const shop = await unitShop();
    const order = await createPurchase(shop.purchase, REQUEST);
    shop.clock.advance(REPLAY_CHECK_AFTER_MS);
    shop.glase.script('getPaymentStatus', { status: 'CANCELED', version: 1 });
    await createPurchase(shop.purchase, REQUEST);
    const failing = { publish: async () => Promise.reject(new Error('EventBridge down')) };
    const first = await reconcile({ ...shop.settlement, events: failing, invoiceTtlSeconds: 900 });
    expect([first.eventsPublished, first.errors]).toEqual([0, 1]);
    expect(shop.store.orders.get(order.orderId)?.unpublished).toEqual(['OrderCanceled']);
    const second = await reconcile({ ...shop.settlement, invoiceTtlSeconds: 900 });
    expect(second.eventsPublished).toBe(1);
    expect(shop.events.published.map((event) => event.type)).toEqual(['OrderCanceled']);
  });
});
