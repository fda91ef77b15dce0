import {
  GlaseUnavailableError,
  ProductNotForSaleError,
  ServiceUnavailableError,
  SoldOutError,
  UnitsHeldError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/model/errors.js';
import type { Invoice } from '../../lambda/checkout/model/invoice.js';
import { heldCap } from '../../lambda/checkout/model/stock.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { failingWrites, orderOf, overridden, shortOfStock } from '../support/in-memory.js';
import { MUG, REQUEST, unitShop } from '../support/shop.js';

describe('createPurchase', () => {
  it('reserves a unit, records the order, invoices it exactly as sold, and marks it INVOICED', async () => {
    const shop = await unitShop();
    const result = await createPurchase(shop.purchase, REQUEST);

    const order = await shop.store.getOrder(result.orderId);
    expect(order).toMatchObject({
      status: 'INVOICED',
      invoiceReference: result.invoiceReference,
      invoiceVersion: 0,
      version: 2,
      totalMinor: 14900,
      stock: [{ purchaseToken: MUG.purchaseToken, quantity: 1 }],
      customer: { clientName: 'John Smith', email: 'very.happy@shopping.com' },
    });
    expect(order?.history.map((change) => change.status)).toEqual(['RESERVED', 'INVOICED']);
    expect(await shop.stock()).toEqual({ onHand: 5, reserved: 1, available: 4, sold: 0 });
    const [sent] = shop.glase.callsTo('sendInvoice');
    expect(sent?.request).toEqual({
      orderId: result.orderId,
      issuedAt: shop.clock.now(),
      title: 'Test Shop',
      cashierId: 'till-1',
      footer: 'Thanks',
      currency: 'SEK',
      rows: [
        {
          description: MUG.description,
          sku: MUG.sku,
          ean: undefined,
          quantity: 1,
          unitPriceMinor: 14900,
          totalMinor: 14900,
          taxRatePercent: 25,
        },
      ],
      totalMinor: 14900,
      notificationUrl: `https://shop.example/webshop/notify/${result.orderId}?sig=x`,
    } satisfies Invoice);
  });

  it('refuses an unknown token, a product off sale, and a sold-out one before writing anything', async () => {
    const shop = await unitShop([MUG, { ...MUG, purchaseToken: 'EMPTY', onHand: 0 }]);
    await expect(createPurchase(shop.purchase, { ...REQUEST, purchaseToken: 'NOPE' })).rejects.toBeInstanceOf(
      UnknownPurchaseTokenError,
    );
    await expect(
      createPurchase(shop.purchase, { ...REQUEST, purchaseToken: 'EMPTY' }),
    ).rejects.toBeInstanceOf(SoldOutError);
    await shop.catalog.setActive(MUG.purchaseToken, false);
    await expect(createPurchase(shop.purchase, REQUEST)).rejects.toBeInstanceOf(ProductNotForSaleError);
    expect(shop.store.orders.size).toBe(0);
    expect(shop.glase.calls).toEqual([]);
  });

  it('when the last unit goes between the read and the reservation: SOLD_OUT, no order, no invoice', async () => {
    const shop = await unitShop([{ ...MUG, onHand: 1 }]);
    const stale = await shop.store.readForPurchase(MUG.purchaseToken, 'x');
    await createPurchase(shop.purchase, REQUEST);
    // This request read the product while it still had its unit.
    const store = overridden(shop.store, { readForPurchase: async () => ({ product: stale.product }) });
    const late = { ...REQUEST, clientName: 'Late', email: 'late@example.com' };
    await expect(createPurchase({ ...shop.purchase, store }, late)).rejects.toBeInstanceOf(SoldOutError);
    expect(shop.store.orders.size).toBe(1);
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(1);
  });

  it.each([
    [
      'refuses it',
      rejection('sendInvoice', 49, 'INVALID_INVOICE_DATA'),
      'sendInvoice failed: Glase refused: INVALID_INVOICE_DATA (result 49)',
    ],
    [
      'is unreachable',
      new GlaseUnavailableError('Glase sendInvoice could not be reached', 'unreachable'),
      'sendInvoice failed: Glase sendInvoice could not be reached',
    ],
    ['fails in a way we did not name', new TypeError('boom'), 'sendInvoice failed: TypeError'],
  ])(
    'when Glase %s: the order is FAILED with why, the unit back, and the error goes to the caller',
    async (_name, error, reason) => {
      const shop = await unitShop();
      shop.glase.script('sendInvoice', error);
      await expect(createPurchase(shop.purchase, REQUEST)).rejects.toBe(error);
      const [order] = [...shop.store.orders.values()];
      expect(order).toMatchObject({ status: 'FAILED', failureReason: reason });
      expect(order?.history.at(-1)).toMatchObject({ status: 'FAILED', reason });
      expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    },
  );

  it('when recording the invoice fails: withdraws it at Glase, fails the order, gives the unit back', async () => {
    const shop = await unitShop();
    const store = failingWrites(shop.store, (change) => orderOf(change)?.status === 'INVOICED');
    await expect(createPurchase({ ...shop.purchase, store }, REQUEST)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    const [order] = [...shop.store.orders.values()];
    expect(order).toMatchObject({
      status: 'FAILED',
      failureReason: 'invoiced but not recorded; invoice withdrawn',
    });
    expect(shop.glase.callsTo('cancelInvoice').map((call) => call.request)).toEqual(['1001']);
    expect(await shop.stock()).toMatchObject({ reserved: 0, available: 5 });
  });

  it('when the withdrawal fails too: warns, and leaves the order RESERVED for the reconciler', async () => {
    const shop = await unitShop();
    const store = failingWrites(shop.store, (change) => orderOf(change)?.status === 'INVOICED');
    shop.glase.script(
      'cancelInvoice',
      new GlaseUnavailableError('Glase cancelInvoice could not be reached', 'unreachable'),
    );
    await expect(createPurchase({ ...shop.purchase, store }, REQUEST)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect([...shop.store.orders.values()].map((order) => order.status)).toEqual(['RESERVED']);
    expect(shop.warnings).toEqual([
      {
        message: 'could not withdraw an invoice the buyer was not given',
        details: {
          orderId: expect.any(String),
          invoiceReference: '1001',
          error: 'Glase cancelInvoice could not be reached',
        },
      },
    ]);
  });

  it('when even failing the order cannot be written: warns and still throws the Glase error', async () => {
    const shop = await unitShop();
    const error = rejection('sendInvoice', 90, 'SYSTEM_ERROR');
    shop.glase.script('sendInvoice', error);
    const store = failingWrites(shop.store, (change) => orderOf(change)?.status === 'FAILED');
    await expect(createPurchase({ ...shop.purchase, store }, REQUEST)).rejects.toBe(error);
    expect(shop.warnings.map((warning) => warning.message)).toEqual(['could not release a reservation']);
  });

  describe('knows its deadline at every step', () => {
    // The unit shop's timing: sendInvoice 5 s whole, recording 1 s, an undo 3 s + 1 s: 10 s in all.
    const NEEDED = 10_000;

    it('calls Glase only when sendInvoice’s whole timeout and every step after it fit; else nothing is held', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED - 1;
      const failure = await createPurchase(shop.purchase, REQUEST, { deadline }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect((failure as ServiceUnavailableError).reason).toBe('no-time');
      expect(shop.glase.calls).toEqual([]);
      expect(shop.store.orders.size).toBe(0);
      expect(shop.store.requests.size).toBe(0);
      expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });

      // With the time, sendInvoice gets its whole timeout and more: it waits for as long as an
      // undo (3 s + 1 s) still fits after the answer — an answer given up on is an invoice whose
      // reference is never learned, one too late to record is withdrawn.
      const enough = shop.clock.now().getTime() + NEEDED;
      await createPurchase(shop.purchase, REQUEST, { deadline: enough });
      expect(shop.glase.callsTo('sendInvoice')[0]?.budget).toEqual({
        deadline: enough - 4_000,
        patienceMs: 6_000,
      });
      const roomy = shop.clock.now().getTime() + NEEDED + 3_000;
      await createPurchase(shop.purchase, { ...REQUEST, email: 'roomy@example.com' }, { deadline: roomy });
      expect(shop.glase.callsTo('sendInvoice')[1]?.budget).toEqual({
        deadline: roomy - 4_000,
        patienceMs: 9_000,
      });
      // …at most twice its timeout: a Glase that silent is down.
      const ample = shop.clock.now().getTime() + 60_000;
      await createPurchase(shop.purchase, { ...REQUEST, email: 'ample@example.com' }, { deadline: ample });
      expect(shop.glase.callsTo('sendInvoice')[2]?.budget).toMatchObject({ patienceMs: 10_000 });
    });

    it('gives the units back before Glase is called when the reservation itself used up the time', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED + 2_000;
      // A slow DynamoDB: the reservation's write takes three seconds.
      const store = overridden(shop.store, {
        apply: async (change, budget) => {
          if (orderOf(change)?.status === 'RESERVED') shop.clock.advance(3_000);
          return shop.store.apply(change, budget);
        },
      });
      const failure = await createPurchase({ ...shop.purchase, store }, REQUEST, { deadline }).catch(
        (error: unknown) => error,
      );
      expect((failure as ServiceUnavailableError).reason).toBe('no-time');
      expect(shop.glase.calls).toEqual([]);
      const [order] = shop.store.orders.values();
      expect(order?.status).toBe('FAILED');
      expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    });

    it('withdraws an invoice it can no longer record and answer in time, and gives the units back: 503, not a ghost', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED;
      // Glase takes its whole time, and a little more of ours goes on the way back.
      shop.glase.script('sendInvoice', () => {
        shop.clock.advance(5_001);
        return { invoiceReference: '4711' };
      });
      const failure = await createPurchase(shop.purchase, REQUEST, { deadline }).catch(
        (error: unknown) => error,
      );
      expect((failure as ServiceUnavailableError).reason).toBe('undone');
      const [cancel] = shop.glase.callsTo('cancelInvoice');
      expect([cancel?.request, cancel?.budget]).toEqual([
        '4711',
        { deadline: deadline - 1_000, maxAttempts: 1 },
      ]);
      const [order] = shop.store.orders.values();
      expect(order?.status).toBe('FAILED');
      expect(order?.history.at(-1)?.reason).toMatch(/no time left to record the invoice; invoice withdrawn/);
      expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    });

    it('withdraws the invoice when recording it fails for an outage, and answers 503 (retryable), never 500', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED;
      const outage = new ServiceUnavailableError('store', 'DynamoDB unavailable: TimeoutError');
      const store = failingWrites(shop.store, (change) => orderOf(change)?.status === 'INVOICED', outage);
      const failure = await createPurchase({ ...shop.purchase, store }, REQUEST, { deadline }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect((failure as ServiceUnavailableError).reason).toBe('undone');
      expect((failure as Error).cause).toBe(outage);
      expect(shop.glase.callsTo('cancelInvoice')).toHaveLength(1);
      expect([...shop.store.orders.values()][0]?.status).toBe('FAILED');
      expect(await shop.stock()).toMatchObject({ reserved: 0, available: 5 });
    });

    it('gives each DynamoDB step the deadline it must keep, and none without a deadline of its own', async () => {
      const shop = await unitShop();
      const budgets: [string, unknown][] = [];
      const store = overridden(shop.store, {
        readForPurchase: (token, key, shards, budget) => {
          budgets.push(['read', budget]);
          return shop.store.readForPurchase(token, key, shards, budget);
        },
        apply: async (change, budget) => {
          budgets.push([orderOf(change)?.status ?? 'other', budget]);
          return shop.store.apply(change, budget);
        },
      });
      const deadline = shop.clock.now().getTime() + NEEDED + 500;
      await createPurchase({ ...shop.purchase, store }, REQUEST, { deadline });
      // The read may use the whole time (a replay needs nothing else); the reservation must leave
      // sendInvoice, its record and an undo their time; the record must leave the undo its time.
      expect(budgets).toEqual([
        ['read', { deadline }],
        ['RESERVED', { deadline: deadline - NEEDED }],
        ['INVOICED', { deadline: deadline - 4_000 }],
      ]);
      budgets.length = 0;
      await createPurchase({ ...shop.purchase, store }, { ...REQUEST, email: 'timeless@example.com' });
      expect(budgets).toEqual([
        ['read', { deadline: undefined }],
        ['RESERVED', { deadline: undefined }],
        ['INVOICED', { deadline: undefined }],
      ]);
      // Without a deadline there is no time to spare either: sendInvoice gets its usual timeout.
      expect(shop.glase.callsTo('sendInvoice').at(-1)?.budget).toMatchObject({ patienceMs: 5_000 });
    });

    it('records an answer that leaves exactly the time to record it and undo after', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED;
      shop.glase.script('sendInvoice', () => {
        shop.clock.advance(5_000);
        return { invoiceReference: '4713' };
      });
      const result = await createPurchase(shop.purchase, REQUEST, { deadline });
      expect(result.invoiceReference).toBe('4713');
      expect(shop.glase.callsTo('cancelInvoice')).toEqual([]);
    });

    it('gives the record write only the time that leaves an undo room after it', async () => {
      const shop = await unitShop();
      const deadline = shop.clock.now().getTime() + NEEDED;
      const budgets: unknown[] = [];
      const store = overridden(shop.store, {
        apply: async (change, budget) => {
          if (orderOf(change)?.status === 'INVOICED') budgets.push(budget);
          return shop.store.apply(change, budget);
        },
      });
      await createPurchase({ ...shop.purchase, store }, REQUEST, { deadline });
      expect(budgets).toEqual([{ deadline: deadline - 4_000 }]);
    });
  });

  describe('a product whose stock is spread over shards', () => {
    const shopper = (index: number) => ({ ...REQUEST, email: `shopper-${index}@shopping.com` });

    it('takes its unit from the first shard in the order given, recording which on the order', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 8 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      const result = await createPurchase({ ...shop.purchase, shardOrder: () => [2, 0, 1, 3] }, REQUEST);
      expect((await shop.store.getOrder(result.orderId))?.stock).toEqual([
        { purchaseToken: MUG.purchaseToken, quantity: 1, shard: 2 },
      ]);
    });

    it('moves on from an empty shard to the next, and is sold out only when every shard is', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 2 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      // 2 units over 4 shards: shards 0 and 1 hold one each; 2 and 3 are empty from the start.
      const deps = { ...shop.purchase, shardOrder: () => [3, 2, 1, 0] };
      const first = await createPurchase(deps, shopper(1));
      const second = await createPurchase(deps, shopper(2));
      expect(
        [first, second].map((result) => shop.store.orders.get(result.orderId)?.stock?.[0]?.shard),
      ).toEqual([1, undefined]);
      await expect(createPurchase(deps, shopper(3))).rejects.toBeInstanceOf(SoldOutError);
      expect(await shop.catalog.getProduct(MUG.purchaseToken)).toMatchObject({ reserved: 2, available: 0 });
      expect(shop.glase.callsTo('sendInvoice')).toHaveLength(2);
    });

    it('does not answer sold out from the product item alone: its counters are one shard’s', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 3 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      // 3 units over 4 shards: shards 0, 1 and 2 hold one each. Once shard 0's sells, 1 and 2 remain.
      const deps = { ...shop.purchase, shardOrder: () => [0, 1, 2, 3] };
      await createPurchase(deps, shopper(1));
      expect(await shop.store.readForPurchase(MUG.purchaseToken, 'x')).toMatchObject({
        product: { available: 0 },
      });
      const next = await createPurchase(deps, shopper(2));
      expect(shop.store.orders.get(next.orderId)?.stock?.[0]?.shard).toBe(1);
    });

    it('answers not for sale when the product is off sale, whichever shard it tries', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 8 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      await shop.catalog.setActive(MUG.purchaseToken, false);
      await expect(
        createPurchase({ ...shop.purchase, shardOrder: () => [3, 2, 1, 0] }, REQUEST),
      ).rejects.toBeInstanceOf(ProductNotForSaleError);
    });

    it('an empty shard makes it read every shard again; stock re-spread again and again cannot keep a buyer', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 4 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      let reads = 0;
      let writes = 0;
      // Every read finds the stock spread over a different number of shards, and every shard
      // refuses: a buyer must still get an answer, after a bounded number of tries.
      const store = overridden(shop.store, {
        readForPurchase: async (token, key) => {
          const seen = await shop.store.readForPurchase(token, key);
          reads++;
          return { ...seen, product: seen.product && { ...seen.product, stockShards: 3 + reads } };
        },
        apply: async (change) => {
          writes++;
          return shortOfStock(change);
        },
      });
      await expect(
        createPurchase({ ...shop.purchase, store, shardOrder: (count) => [...Array(count).keys()] }, REQUEST),
      ).rejects.toBeInstanceOf(SoldOutError);
      // One try on the first spread; its re-read shows 5 shards, each tried once with a read after
      // every refusal but the last; the later counts it reads are not followed again.
      expect(writes).toBe(1 + 5);
      expect(reads).toBe(1 + 5);
    });

    it('tries every shard once, in a random order when none is given', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 16 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 16);
      const shards = new Set<number>();
      for (let index = 0; index < 16; index++) {
        const result = await createPurchase(shop.purchase, shopper(index));
        shards.add(shop.store.orders.get(result.orderId)?.stock?.[0]?.shard ?? 0);
      }
      // 16 buyers, 16 shards of one unit each: every shard sold exactly its unit.
      expect(shards.size).toBe(16);
      await expect(createPurchase(shop.purchase, shopper(99))).rejects.toBeInstanceOf(SoldOutError);
    });

    it('once it has seen the shard count, reads every shard in its first round trip and tries only those with units', async () => {
      const shop = await unitShop([{ ...MUG, onHand: 2 }]);
      await shop.catalog.setStockShards(MUG.purchaseToken, 4);
      const stockShardsSeen = new Map<string, number>();
      const deps = { ...shop.purchase, stockShardsSeen, shardOrder: () => [3, 2, 1, 0] };
      const tried: number[] = [];
      const apply = shop.store.apply.bind(shop.store);
      shop.store.apply = async (change) => {
        const reservation = change.writes.find((write) => write.kind === 'stock');
        if (reservation?.kind === 'stock' && orderOf(change)?.version === 1)
          tried.push(reservation.delta.shard ?? 0);
        return apply(change);
      };
      // First purchase: the shard count is not known yet. Empty shard 3 refuses; one read of every
      // shard then skips empty shard 2 and goes to 1.
      await createPurchase(deps, shopper(1));
      expect(stockShardsSeen.get(MUG.purchaseToken)).toBe(4);
      expect(tried.splice(0)).toEqual([3, 1]);
      // Second: it read every shard's counters, so it goes straight to the one with a unit.
      await createPurchase(deps, shopper(2));
      expect(tried.splice(0)).toEqual([0]);
      // Third: every shard read empty: sold out, nothing written.
      await expect(createPurchase(deps, shopper(3))).rejects.toBeInstanceOf(SoldOutError);
      expect(tried).toEqual([]);
    });
  });
});

describe('the cap on units unpaid invoices may hold', () => {
  const buyer = (index: number) => ({ ...REQUEST, email: `buyer${index}@shopping.com` });

  it('48 buyers at once for 50 units: at most half are held while nobody has paid; the rest wait for payers', async () => {
    const shop = await unitShop([{ ...MUG, onHand: 50 }]);
    const deps = { ...shop.purchase, policy: { ...shop.purchase.policy, heldSharePercent: 50 } };
    const answers = await Promise.allSettled(
      Array.from({ length: 48 }, (_, index) => createPurchase(deps, buyer(index))),
    );
    const refused = answers.flatMap((answer) => (answer.status === 'rejected' ? [answer.reason] : []));
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(25);
    expect(refused.every((reason) => reason instanceof UnitsHeldError)).toBe(true);
    expect(await shop.stock()).toEqual({ onHand: 50, reserved: 25, available: 25, sold: 0 });
    expect(shop.glase.callsTo('sendInvoice')).toHaveLength(25);

    // One pays: the paid unit leaves the shelf, a held place frees up (24 of floor(49 / 2) = 24 held).
    const [paid] = [...shop.store.orders.values()].filter((order) => order.status === 'INVOICED');
    shop.glase.script('getPaymentStatus', {
      status: 'PAID',
      version: 1,
      ersReference: 'E',
      paymentReference: 'P',
    });
    await completePayment(shop.settlement, paid!);
    await expect(createPurchase(deps, buyer(100))).rejects.toBeInstanceOf(UnitsHeldError);
    // One declines: its unit is free again, and one more buyer may hold it.
    const [declined] = [...shop.store.orders.values()].filter((order) => order.status === 'INVOICED');
    shop.glase.script('getPaymentStatus', { status: 'CANCELED', version: 1 });
    await completePayment(shop.settlement, declined!);
    expect((await createPurchase(deps, buyer(101))).replayed).toBe(false);
  });

  it('leaves a product with few units sellable: a cap of at least one', async () => {
    const shop = await unitShop([{ ...MUG, onHand: 1 }]);
    const deps = { ...shop.purchase, policy: { ...shop.purchase.policy, heldSharePercent: 10 } };
    expect((await createPurchase(deps, buyer(1))).replayed).toBe(false);
    expect(heldCap(1, 10)).toBe(1);
    expect(heldCap(50, 50)).toBe(25);
    expect(heldCap(7, 100)).toBe(7);
  });
});
