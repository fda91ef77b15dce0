import {
  IdempotencyKeyReusedError,
  OpenOrderLimitError,
  RequestInProgressError,
} from '../../lambda/checkout/model/errors.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { requestKeys, shopperKeys } from '../../lambda/checkout/model/request-record.js';
import type { Store } from '../../lambda/checkout/ports.js';
import { cancelInvoiced, completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase, REPLAY_CHECK_AFTER_MS } from '../../lambda/checkout/use-cases/create-purchase.js';
import { reconcile } from '../../lambda/checkout/use-cases/reconcile.js';
import { overridden, unavailable } from '../support/in-memory.js';
import { MUG, REQUEST, unitShop } from '../support/shop.js';

/** The store, counting what createPurchase asks of it. */
function counting(inner: Store) {
  const calls: string[] = [];
  const store = overridden(inner, {
    readForPurchase: (token, key) => {
      calls.push('read');
      return inner.readForPurchase(token, key);
    },
    getOrder: (orderId) => {
      calls.push('getOrder');
      return inner.getOrder(orderId);
    },
    apply: (change) => {
      calls.push('apply');
      return inner.apply(change);
    },
  });
  return { store, calls };
}

describe('request keys and shopper keys', () => {
  it('the same request, however written, has one key; an Idempotency-Key replaces the body as the key', () => {
    const reordered = Object.fromEntries(Object.entries(REQUEST).reverse()) as typeof REQUEST;
    expect(requestKeys(reordered)).toEqual(requestKeys(REQUEST));
    expect(requestKeys(REQUEST).key).toBe(requestKeys(REQUEST).fingerprint);
    const keyed = requestKeys(REQUEST, 'abc');
    expect(keyed.fingerprint).toBe(requestKeys(REQUEST).fingerprint);
    expect(keyed.key).not.toBe(keyed.fingerprint);
    expect(requestKeys({ ...REQUEST, zip: '11123' }).fingerprint).not.toBe(keyed.fingerprint);
  });

  it('knows a shopper by e-mail (case, +tag and dots aside, at any provider) and by phone digits', () => {
    expect(shopperKeys({ email: ' John.Smith+glase@Shop.COM ', msisdn: '' })).toEqual([
      'email:johnsmith@shop.com',
    ]);
    // A hoarder's variations of one mailbox are one shopper; a different name is not.
    const hoarder = ['hoard.1@shop.se', 'h.oard1@shop.se', 'Hoard1+x@shop.se', 'hoard1@shop.se'];
    expect(new Set(hoarder.map((email) => shopperKeys({ email, msisdn: '' })[0])).size).toBe(1);
    expect(shopperKeys({ email: 'hoard2@shop.se', msisdn: '' })).toEqual(['email:hoard2@shop.se']);
    expect(shopperKeys({ email: 'a@b.se', msisdn: '+46 (70) 123-45 67' })).toEqual([
      'email:a@b.se',
      'msisdn:46701234567',
    ]);
    expect(shopperKeys({ email: 'a@b.se', msisdn: '0046701234567' })).toEqual([
      'email:a@b.se',
      'msisdn:46701234567',
    ]);
  });
});

describe('a replay whose invoice may have died meanwhile', () => {
  it('a young answer is replayed from the one read; an older one is asked about at Glase, still no second DynamoDB request', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    const { store, calls } = counting(shop.store);
    shop.clock.advance(REPLAY_CHECK_AFTER_MS - 1);
    expect(await createPurchase({ ...shop.purchase, store }, REQUEST)).toEqual({ ...first, replayed: true });
    expect(shop.glase.callsTo('getPaymentStatus')).toHaveLength(0);

    shop.clock.advance(1);
    expect(await createPurchase({ ...shop.purchase, store }, REQUEST)).toEqual({ ...first, replayed: true });
    expect(shop.glase.callsTo('getPaymentStatus').map((call) => call.request)).toEqual([
      { orderId: first.orderId, invoiceReference: first.invoiceReference, invoiceVersion: 0 },
    ]);
    expect(calls).toEqual(['read', 'read']);
  });

  it('a declined invoice is settled (CANCELED, unit and shopper counter back, OrderCanceled in its outbox) and the replay gets a new, live one', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    shop.clock.advance(REPLAY_CHECK_AFTER_MS);
    shop.glase.script('getPaymentStatus', { status: 'CANCELED', version: 1 });
    const again = await createPurchase(shop.purchase, REQUEST);
    expect(again.replayed).toBe(false);
    expect(again.invoiceReference).not.toBe(first.invoiceReference);
    expect(shop.store.orders.get(first.orderId)?.status).toBe('CANCELED');
    expect(shop.store.orders.get(again.orderId)?.status).toBe('INVOICED');
    // createPurchase carries no event client: the event waits in the order's outbox…
    expect(shop.events.published).toEqual([]);
    expect(shop.store.orders.get(first.orderId)?.unpublished).toEqual(['OrderCanceled']);
    // …and the next reconciler run publishes it, once.
    const report = await reconcile({ ...shop.settlement, invoiceTtlSeconds: 900 });
    expect(report.eventsPublished).toBe(1);
    expect(shop.events.published.map((event) => [event.type, event.order.orderId])).toEqual([
      ['OrderCanceled', first.orderId],
    ]);
    expect(shop.store.orders.get(first.orderId)?.unpublished).toBeUndefined();
    await reconcile({ ...shop.settlement, invoiceTtlSeconds: 900 });
    expect(shop.events.published).toHaveLength(1);
    // One unit held, by the live order; the shopper's one open order is the new one.
    expect(await shop.stock()).toMatchObject({ reserved: 1, available: 4 });
    expect([...shop.store.counters.values()]).toEqual([1]);
  });

  it('a paid one is committed and replayed; Glase unreachable: the answer stands', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    shop.clock.advance(REPLAY_CHECK_AFTER_MS);
    shop.glase.script('getPaymentStatus', unavailable());
    expect(await createPurchase(shop.purchase, REQUEST)).toEqual({ ...first, replayed: true });
    expect(shop.warnings.map((warning) => warning.message)).toContain(
      'could not check a replayed invoice at Glase',
    );
    shop.glase.script('getPaymentStatus', {
      status: 'PAID',
      version: 1,
      ersReference: 'E1',
      paymentReference: 'P1',
    });
    expect(await createPurchase(shop.purchase, REQUEST)).toEqual({ ...first, replayed: true });
    expect(shop.store.orders.get(first.orderId)?.status).toBe('PAID');
    expect(shop.store.orders.size).toBe(1);
  });
});

describe('a retried createPurchase', () => {
  it('gets the first answer from one read, and creates nothing', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    const { store, calls } = counting(shop.store);
    const again = await createPurchase({ ...shop.purchase, store }, REQUEST);
    expect(again).toEqual({ ...first, replayed: true });
    expect(calls).toEqual(['read']);
    expect(shop.store.orders.size).toBe(1);
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(1);
  });

  it('with the same Idempotency-Key: the same answer; with another body under that key: refused, nothing written', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST, { idempotencyKey: 'k-1' });
    expect(await createPurchase(shop.purchase, REQUEST, { idempotencyKey: 'k-1' })).toEqual({
      ...first,
      replayed: true,
    });
    await expect(
      createPurchase(shop.purchase, { ...REQUEST, zip: '99999' }, { idempotencyKey: 'k-1' }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(shop.store.orders.size).toBe(1);
  });

  it('while the first is still running: REQUEST_IN_PROGRESS, nothing written', async () => {
    const shop = await unitShop();
    let release: () => void = () => undefined;
    shop.glase.script(
      'sendInvoice',
      () =>
        new Promise((resolve) => {
          release = () => resolve({ invoiceReference: '777' });
        }),
    );
    const first = createPurchase(shop.purchase, REQUEST);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(createPurchase(shop.purchase, REQUEST)).rejects.toBeInstanceOf(RequestInProgressError);
    expect(shop.store.orders.size).toBe(1);
    release();
    expect((await first).invoiceReference).toBe('777');
  });

  it('two at once: one order, one invoice, the other refused as in progress', async () => {
    const shop = await unitShop();
    const answers = await Promise.allSettled([
      createPurchase(shop.purchase, REQUEST),
      createPurchase(shop.purchase, REQUEST),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = answers.find((answer) => answer.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RequestInProgressError);
    expect(shop.store.orders.size).toBe(1);
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(1);
  });

  it('one left IN_PROGRESS by a request that died is taken over once its lock has run out', async () => {
    const shop = await unitShop([{ ...MUG, onHand: 5 }]);
    shop.glase.script('sendInvoice', () => new Promise<never>(() => undefined)); // dies holding the record
    const lockedUntil = shop.clock.now().getTime() + 15_000;
    void createPurchase(shop.purchase, REQUEST, { deadline: lockedUntil });
    await new Promise((resolve) => setImmediate(resolve));
    shop.clock.advance(4_500);
    // Asked again when the lock has run out: 10.5 s from now, rounded up.
    await expect(createPurchase(shop.purchase, REQUEST)).rejects.toMatchObject({
      code: 'REQUEST_IN_PROGRESS',
      retryAfterSeconds: 11,
    });
    // To its last millisecond the lock holds (as the store's claim condition says)…
    shop.clock.advance(10_500);
    expect(shop.clock.now().getTime()).toBe(lockedUntil);
    await expect(createPurchase(shop.purchase, REQUEST)).rejects.toMatchObject({
      code: 'REQUEST_IN_PROGRESS',
      retryAfterSeconds: 1,
    });
    // …and a millisecond later the attempt is over: taken over.
    shop.clock.advance(1);
    const taken = await createPurchase(
      { ...shop.purchase, policy: { ...shop.purchase.policy, openOrdersPerShopper: 0 } },
      REQUEST,
    );
    expect(taken.replayed).toBe(false);
    expect(shop.store.orders.size).toBe(2);
  });

  it('after the idempotency window it is a new purchase', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    const paid = (await shop.store.getOrder(first.orderId)) as Order;
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: 'E' });
    await completePayment(shop.settlement, paid);
    shop.clock.advance(601_000);
    const later = await createPurchase(shop.purchase, REQUEST);
    expect(later.replayed).toBe(false);
    expect(later.orderId).not.toBe(first.orderId);
  });

  it('never hands back a dead invoice: after a decline (CANCELED) or a failure (FAILED) it is served anew', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    await cancelInvoiced(
      shop.settlement,
      (await shop.store.getOrder(first.orderId)) as Order,
      'declined in the app',
    );
    const second = await createPurchase(shop.purchase, REQUEST);
    expect(second.replayed).toBe(false);
    expect(second.invoiceReference).not.toBe(first.invoiceReference);
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(2);
    // ...and that new invoice is replayed, like any live one.
    expect((await createPurchase(shop.purchase, REQUEST)).invoiceReference).toBe(second.invoiceReference);

    shop.glase.script('sendInvoice', new Error('Glase down'));
    await expect(createPurchase(shop.purchase, { ...REQUEST, email: 'b@example.com' })).rejects.toThrow(
      'Glase down',
    );
    const retried = await createPurchase(shop.purchase, { ...REQUEST, email: 'b@example.com' });
    expect(retried.replayed).toBe(false);
  });

  it('a paid order is still replayed within the window', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: 'E' });
    await completePayment(shop.settlement, (await shop.store.getOrder(first.orderId)) as Order);
    expect(await createPurchase(shop.purchase, REQUEST)).toEqual({ ...first, replayed: true });
  });
});

describe('the cap on a shopper’s unpaid orders of one product', () => {
  const otherAddress = { ...REQUEST, street: 'Another street 2' };

  it('refuses a second unpaid order of the same product by the same shopper, writing nothing', async () => {
    const shop = await unitShop([MUG, { ...MUG, purchaseToken: 'SCARF' }]);
    await createPurchase(shop.purchase, REQUEST);
    await expect(createPurchase(shop.purchase, otherAddress)).rejects.toBeInstanceOf(OpenOrderLimitError);
    // The same phone with another e-mail is the same shopper.
    const samePhone = { ...otherAddress, email: 'other@example.com', msisdn: '+46701234567' };
    await createPurchase(shop.purchase, { ...REQUEST, purchaseToken: 'SCARF', msisdn: '0046701234567' });
    await expect(
      createPurchase(shop.purchase, { ...samePhone, purchaseToken: 'SCARF' }),
    ).rejects.toBeInstanceOf(OpenOrderLimitError);
    expect(shop.store.orders.size).toBe(2);
    expect(await shop.stock()).toMatchObject({ reserved: 1, available: 4 });
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(2);
    // Another product, another shopper: served.
    await createPurchase(shop.purchase, { ...otherAddress, email: 'someone.else@example.com' });
  });

  it('lets the shopper buy again once the order is paid or ends unpaid', async () => {
    const shop = await unitShop();
    const first = await createPurchase(shop.purchase, REQUEST);
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: 'E' });
    await completePayment(shop.settlement, (await shop.store.getOrder(first.orderId)) as Order);
    const second = await createPurchase(shop.purchase, otherAddress);
    await cancelInvoiced(shop.settlement, (await shop.store.getOrder(second.orderId)) as Order, 'declined');
    await expect(createPurchase(shop.purchase, { ...otherAddress, zip: '11199' })).resolves.toMatchObject({
      replayed: false,
    });
  });

  it('is configurable: 2 allows two, 0 allows any number', async () => {
    const two = await unitShop();
    const twoDeps = { ...two.purchase, policy: { ...two.purchase.policy, openOrdersPerShopper: 2 } };
    await createPurchase(twoDeps, REQUEST);
    await createPurchase(twoDeps, otherAddress);
    await expect(createPurchase(twoDeps, { ...otherAddress, zip: '1' })).rejects.toBeInstanceOf(
      OpenOrderLimitError,
    );
    const none = await unitShop();
    const noneDeps = { ...none.purchase, policy: { ...none.purchase.policy, openOrdersPerShopper: 0 } };
    for (const zip of ['1', '2', '3']) await createPurchase(noneDeps, { ...REQUEST, zip });
    expect(none.store.counters.size).toBe(0);
  });
});
