import fc from 'fast-check';
import {
  type BundlePart,
  bundleAvailable,
  bundleLines,
  type ComponentSource,
  checkBundleEntry,
  composeBundle,
  MAX_BUNDLE_COMPONENTS,
  readBundleParts,
} from '../../lambda/checkout/model/bundle.js';
import {
  GlaseRejectedError,
  ProductNotForSaleError,
  RefusedError,
  SoldOutError,
} from '../../lambda/checkout/model/errors.js';
import type { Invoice } from '../../lambda/checkout/model/invoice.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import { refund } from '../../lambda/checkout/use-cases/refund.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { propertyRuns } from '../support/property-runs.js';
import { addBundle, BEANS, KIT, MUG, REQUEST, unitShop } from '../support/shop.js';

const part = (purchaseToken: string, unitPriceMinor: number, quantity = 1): BundlePart => ({
  purchaseToken,
  sku: purchaseToken,
  description: purchaseToken,
  unitPriceMinor,
  taxRatePercent: 25,
  quantity,
});

describe('bundle rules', () => {
  it('shares the discount out in whole minor units: the rows add up to the price, the remainder to the largest fractions', () => {
    const lines = bundleLines(
      { unitPriceMinor: 33000, components: [part('MUG', 14900, 2), part('BEANS', 8900)] },
      1,
    );
    expect(lines.map((line) => [line.quantity, line.discountMinor, line.totalMinor])).toEqual([
      [2, 4389, 25411],
      [1, 1311, 7589],
    ]);
    // Priced at the sum: no discount written at all.
    const full = bundleLines(
      { unitPriceMinor: 38700, components: [part('MUG', 14900, 2), part('BEANS', 8900)] },
      1,
    );
    expect(full.map((line) => line.discountMinor)).toEqual([undefined, undefined]);
    expect(() => bundleLines({ unitPriceMinor: 100, components: [part('A', 99)] }, 1)).toThrow(RangeError);
  });

  it('for any parts and any price up to their worth: rows sum to the price exactly, no row below zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.nat(5_000_000), quantity: fc.integer({ min: 1, max: 99 }) }), {
          minLength: 1,
          maxLength: MAX_BUNDLE_COMPONENTS,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        (specs, fraction, units) => {
          const components = specs.map((spec, index) => part(`P${index}`, spec.price, spec.quantity));
          const worth = components.reduce((sum, one) => sum + one.unitPriceMinor * one.quantity, 0);
          const price = Math.floor(worth * fraction);
          const lines = bundleLines({ unitPriceMinor: price, components }, units);
          expect(lines.reduce((sum, line) => sum + line.totalMinor, 0)).toBe(price * units);
          for (const [index, line] of lines.entries()) {
            const gross = (components[index]?.unitPriceMinor ?? 0) * line.quantity;
            expect(line.quantity).toBe((components[index]?.quantity ?? 0) * units);
            expect(line.totalMinor).toBe(gross - (line.discountMinor ?? 0));
            expect(line.totalMinor).toBeGreaterThanOrEqual(0);
            expect(Number.isSafeInteger(line.discountMinor ?? 0)).toBe(true);
          }
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });

  it('a bundle is as available as its scarcest component allows', () => {
    const bundle = { components: [part('MUG', 1, 2), part('BEANS', 1)] };
    const stock: Record<string, number> = { MUG: 5, BEANS: 9 };
    expect(bundleAvailable(bundle, (token) => stock[token] ?? 0)).toBe(2);
    stock.BEANS = 0;
    expect(bundleAvailable(bundle, (token) => stock[token] ?? 0)).toBe(0);
    expect(bundleAvailable(bundle, () => -3)).toBe(0);
  });

  it('checks a bundle row: every problem named, components by token and quantity, at most the transaction allows', () => {
    const checked = checkBundleEntry({
      purchaseToken: 'KIT',
      sku: '',
      description: 'Kit',
      currency: 'sek',
      priceMinor: -1,
      components: [
        { purchaseToken: 'KIT', quantity: 1 },
        { purchaseToken: 'MUG', quantity: 0 },
        { purchaseToken: 'BEANS', quantity: 1 },
        { purchaseToken: 'BEANS', quantity: 2 },
        { purchaseToken: 'bad token!', quantity: 1 },
      ],
    });
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.issues).toEqual([
      { field: 'sku', message: 'is required' },
      { field: 'currency', message: 'must be an ISO 4217 code such as SEK' },
      { field: 'priceMinor', message: 'must be at least 0' },
      { field: 'components[1]', message: 'a bundle cannot contain itself' },
      { field: 'components[2]', message: 'quantity must be a whole number from 1 to 99' },
      { field: 'components[4]', message: 'BEANS is listed twice; give it a quantity instead' },
      { field: 'components[5]', message: 'must name a product by its purchase token' },
    ]);
    const many = Array.from({ length: MAX_BUNDLE_COMPONENTS + 1 }, (_, index) => ({
      purchaseToken: `P${index}`,
      quantity: 1,
    }));
    const tooBig = checkBundleEntry({
      purchaseToken: 'K',
      sku: 'K',
      description: 'K',
      currency: 'SEK',
      components: many,
    });
    expect(tooBig.ok ? '' : tooBig.issues[0]?.message).toMatch(
      /has 26 products; a bundle may have at most 25/,
    );
    const exactly = checkBundleEntry({
      purchaseToken: 'K',
      sku: 'K',
      description: 'K',
      currency: 'SEK',
      components: many.slice(0, MAX_BUNDLE_COMPONENTS),
    });
    expect(exactly.ok).toBe(true);
    expect(
      checkBundleEntry({ purchaseToken: 'K', sku: 'K', description: 'K', currency: 'SEK', components: [] })
        .ok,
    ).toBe(false);
  });

  it('checks each field of a bundle row at its edges', () => {
    const row = { purchaseToken: 'KIT', sku: 'K', description: 'Kit', currency: 'SEK' };
    const issues = (input: Record<string, unknown>) => {
      const checked = checkBundleEntry(input);
      return checked.ok ? [] : checked.issues.map((issue) => `${issue.field}: ${issue.message}`);
    };
    const one = (quantity: unknown) => [{ purchaseToken: 'MUG', quantity }];
    expect(issues({ ...row, components: one(99) })).toEqual([]);
    expect(issues({ ...row, components: one(100) })).toEqual([
      'components[1]: quantity must be a whole number from 1 to 99',
    ]);
    expect(issues({ ...row, components: one(1.5) })).toEqual([
      'components[1]: quantity must be a whole number from 1 to 99',
    ]);
    expect(issues({ ...row, purchaseToken: 'a b', components: one(1) })).toEqual([
      'purchaseToken: must be 1-64 letters, digits, ".", "_" or "-"',
    ]);
    expect(issues({ ...row, purchaseToken: ' KIT', components: one(1) })).toHaveLength(1);
    expect(issues({ ...row, description: ' ', components: one(1) })).toEqual(['description: is required']);
    expect(issues({ ...row, description: 'x'.repeat(201), components: one(1) })).toEqual([
      'description: must be at most 200 characters',
    ]);
    for (const currency of ['SEKX', 'XSEK', 'sek']) {
      expect(issues({ ...row, currency, components: one(1) })).toEqual([
        'currency: must be an ISO 4217 code such as SEK',
      ]);
    }
    for (const components of [undefined, 'MUG', []]) {
      expect(issues({ ...row, components })).toEqual(['components: must list at least one product']);
    }
    expect(issues({ ...row, components: [null, { purchaseToken: 'MUG', quantity: 1 }] })).toEqual([
      'components[1]: must name a product by its purchase token',
      'components[1]: quantity must be a whole number from 1 to 99',
    ]);
    const checked = checkBundleEntry({
      ...row,
      components: [{ purchaseToken: 'MUG', quantity: 2, extra: true }],
    });
    expect(checked.ok && checked.value.components).toEqual([{ purchaseToken: 'MUG', quantity: 2 }]);
  });

  it('composes a bundle from its products, refusing unknown, bundled, foreign-currency and sharded components and a price above their worth', () => {
    const catalog = new Map<string, ComponentSource | 'bundle'>([
      [MUG.purchaseToken, { ...MUG, stockShards: 1 }],
      [BEANS.purchaseToken, { ...BEANS }],
      ['EUR-CUP', { ...MUG, purchaseToken: 'EUR-CUP', currency: 'EUR' }],
      ['HOT', { ...MUG, purchaseToken: 'HOT', stockShards: 4 }],
      ['OTHER-KIT', 'bundle'],
    ]);
    const composed = composeBundle({ ...KIT, priceMinor: undefined }, (token) => catalog.get(token));
    expect(composed).toEqual({
      ok: true,
      value: {
        purchaseToken: KIT.purchaseToken,
        sku: KIT.sku,
        description: KIT.description,
        currency: 'SEK',
        unitPriceMinor: 38700,
        taxRatePercent: 25,
        components: [
          {
            purchaseToken: MUG.purchaseToken,
            sku: MUG.sku,
            description: MUG.description,
            unitPriceMinor: 14900,
            taxRatePercent: 25,
            quantity: 2,
          },
          {
            purchaseToken: BEANS.purchaseToken,
            sku: BEANS.sku,
            description: BEANS.description,
            unitPriceMinor: 8900,
            taxRatePercent: 12,
            ean: BEANS.ean,
            quantity: 1,
          },
        ],
      },
    });
    const refused = composeBundle(
      {
        ...KIT,
        components: ['NOPE', 'OTHER-KIT', 'EUR-CUP', 'HOT'].map((purchaseToken) => ({
          purchaseToken,
          quantity: 1,
        })),
      },
      (token) => catalog.get(token),
    );
    expect(refused.ok ? [] : refused.issues.map((issue) => `${issue.field}: ${issue.message}`)).toEqual([
      'components[1]: NOPE is not in the catalog or this file',
      'components[2]: OTHER-KIT is a bundle; list its products instead',
      'components[3]: EUR-CUP is priced in EUR, the bundle in SEK',
      'components[4]: HOT keeps its stock over 4 shards; set it back to 1 to bundle it',
    ]);
    const dear = composeBundle({ ...KIT, priceMinor: 38701 }, (token) => catalog.get(token));
    expect(dear).toEqual({
      ok: false,
      issues: [{ field: 'price', message: 'is above what its components cost (38700 minor units)' }],
    });
    expect(composeBundle({ ...KIT, priceMinor: 38700 }, (token) => catalog.get(token)).ok).toBe(true);
  });

  it('refuses a bundle below half its worth unless a deep discount is asked for, and 0.00 always', () => {
    const catalog = new Map<string, ComponentSource | 'bundle'>([
      [MUG.purchaseToken, { ...MUG, stockShards: 1 }],
      [BEANS.purchaseToken, { ...BEANS }],
    ]);
    const of = (token: string) => catalog.get(token);
    // KIT's components are worth 38700 minor units: half is 19350.
    expect(composeBundle({ ...KIT, priceMinor: 19350 }, of).ok).toBe(true);
    const cheap = composeBundle({ ...KIT, priceMinor: 19349 }, of);
    expect(cheap.ok).toBe(false);
    expect(!cheap.ok && cheap.issues[0]?.message).toMatch(
      /below 50 % of what its components cost \(38700 minor units\).*--allow-deep-discount/,
    );
    expect(composeBundle({ ...KIT, priceMinor: 1 }, of, { allowDeepDiscount: true }).ok).toBe(true);
    for (const terms of [{}, { allowDeepDiscount: true }]) {
      expect(composeBundle({ ...KIT, priceMinor: 0 }, of, terms)).toEqual({
        ok: false,
        issues: [{ field: 'price', message: 'is 0: a bundle is never given away' }],
      });
    }
  });

  it('reads stored parts only when every one keeps the catalog’s rules', () => {
    const stored = [
      {
        purchaseToken: 'MUG',
        sku: 'S',
        description: 'Mug',
        unitPriceMinor: 100,
        taxRatePercent: 25,
        quantity: 2,
      },
    ];
    expect(readBundleParts(stored, 'SEK')).toEqual(stored);
    expect(readBundleParts([{ ...stored[0], unitPriceMinor: -1 }], 'SEK')).toBeUndefined();
    expect(readBundleParts([{ ...stored[0], quantity: 0 }], 'SEK')).toBeUndefined();
    expect(readBundleParts([...stored, null], 'SEK')).toBeUndefined();
    expect(readBundleParts([], 'SEK')).toBeUndefined();
    expect(readBundleParts('MUG', 'SEK')).toBeUndefined();
  });
});

describe('a bundle purchase', () => {
  async function bundleShop(beans = BEANS.onHand) {
    const shop = await unitShop([MUG, { ...BEANS, onHand: beans }]);
    await addBundle(shop.catalog);
    const stock = async () => ({
      mug: await shop.stock(MUG.purchaseToken),
      beans: await shop.stock(BEANS.purchaseToken),
    });
    return { ...shop, stockOfBoth: stock };
  }
  const BUY = { ...REQUEST, purchaseToken: KIT.purchaseToken };

  it('reserves every component with the order and invoices one row per component adding up to the bundle’s price', async () => {
    const shop = await bundleShop();
    const { orderId } = await createPurchase(shop.purchase, BUY);
    const order = (await shop.store.getOrder(orderId)) as Order;
    expect(order).toMatchObject({
      status: 'INVOICED',
      purchaseToken: KIT.purchaseToken,
      totalMinor: 33000,
      stock: [
        { purchaseToken: MUG.purchaseToken, quantity: 2 },
        { purchaseToken: BEANS.purchaseToken, quantity: 1 },
      ],
    });
    expect(await shop.stockOfBoth()).toEqual({
      mug: { onHand: 5, reserved: 2, available: 3, sold: 0 },
      beans: { onHand: 5, reserved: 1, available: 4, sold: 0 },
    });
    const invoice = shop.glase.callsTo('sendInvoice')[0]?.request as Invoice | undefined;
    expect(invoice?.totalMinor).toBe(33000);
    expect(invoice?.rows).toEqual([
      {
        description: MUG.description,
        sku: MUG.sku,
        quantity: 2,
        unitPriceMinor: 14900,
        discountMinor: 4389,
        totalMinor: 25411,
        taxRatePercent: 25,
      },
      {
        description: BEANS.description,
        sku: BEANS.sku,
        ean: BEANS.ean,
        quantity: 1,
        unitPriceMinor: 8900,
        discountMinor: 1311,
        totalMinor: 7589,
        taxRatePercent: 12,
      },
    ]);
    // The catalog shows how many more bundles the components allow: mugs 3 → 1 kit.
    expect((await shop.catalog.getProduct(KIT.purchaseToken))?.available).toBe(1);
  });

  it('is sold out when any component is, with nothing reserved and nothing invoiced', async () => {
    const shop = await bundleShop(0);
    await expect(createPurchase(shop.purchase, BUY)).rejects.toEqual(new SoldOutError(KIT.purchaseToken));
    expect(await shop.stockOfBoth()).toEqual({
      mug: { onHand: 5, reserved: 0, available: 5, sold: 0 },
      beans: { onHand: 0, reserved: 0, available: 0, sold: 0 },
    });
    expect(shop.store.orders.size).toBe(0);
    expect(shop.glase.calls).toEqual([]);
  });

  it('is not for sale when a component or the bundle is off sale; the answer names the bundle', async () => {
    const shop = await bundleShop();
    await shop.catalog.setActive(BEANS.purchaseToken, false);
    await expect(createPurchase(shop.purchase, BUY)).rejects.toEqual(
      new ProductNotForSaleError(KIT.purchaseToken),
    );
    await shop.catalog.setActive(BEANS.purchaseToken, true);
    await shop.catalog.setActive(KIT.purchaseToken, false);
    await expect(createPurchase(shop.purchase, BUY)).rejects.toEqual(
      new ProductNotForSaleError(KIT.purchaseToken),
    );
    expect((await shop.stockOfBoth()).mug.reserved).toBe(0);
    expect(shop.store.orders.size).toBe(0);
  });

  it('FAILED and CANCELED give every component back; PAID sells every one; a restock returns every one', async () => {
    const shop = await bundleShop();
    shop.glase.script('sendInvoice', rejection('sendInvoice', 49, 'INVALID_INVOICE_DATA'));
    await expect(createPurchase(shop.purchase, BUY)).rejects.toBeInstanceOf(GlaseRejectedError);
    expect((await shop.stockOfBoth()).mug.reserved).toBe(0);
    expect((await shop.stockOfBoth()).beans.reserved).toBe(0);

    const canceled = await createPurchase(shop.purchase, { ...BUY, email: 'two@example.com' });
    shop.glase.script('getPaymentStatus', { status: 'CANCELED', version: 1 });
    await completePayment(shop.settlement, (await shop.store.getOrder(canceled.orderId)) as Order);
    expect((await shop.store.getOrder(canceled.orderId))?.status).toBe('CANCELED');
    expect(await shop.stockOfBoth()).toEqual({
      mug: { onHand: 5, reserved: 0, available: 5, sold: 0 },
      beans: { onHand: 5, reserved: 0, available: 5, sold: 0 },
    });

    const paid = await createPurchase(shop.purchase, { ...BUY, email: 'three@example.com' });
    shop.glase.script('getPaymentStatus', { status: 'PAID', version: 1, ersReference: '5550001' });
    await completePayment(shop.settlement, (await shop.store.getOrder(paid.orderId)) as Order);
    expect(await shop.stockOfBoth()).toEqual({
      mug: { onHand: 3, reserved: 0, available: 3, sold: 2 },
      beans: { onHand: 4, reserved: 0, available: 4, sold: 1 },
    });
    expect(shop.events.published.map((event) => event.type)).toEqual(['OrderCanceled', 'OrderPaid']);

    await refund(shop.refund, { orderId: paid.orderId, restock: true });
    expect(await shop.stockOfBoth()).toEqual({
      mug: { onHand: 5, reserved: 0, available: 5, sold: 0 },
      beans: { onHand: 5, reserved: 0, available: 5, sold: 0 },
    });
  });

  it('stock commands on a bundle say its stock is its components’; a product and a bundle never share a token', async () => {
    const shop = await bundleShop();
    await expect(shop.catalog.adjustStock(KIT.purchaseToken, { set: 3 })).rejects.toThrow(
      `${KIT.purchaseToken} is a bundle: it has no stock of its own, its components' (${MUG.purchaseToken}, ${BEANS.purchaseToken}) sell it`,
    );
    await expect(shop.catalog.setStockShards(KIT.purchaseToken, 2)).rejects.toBeInstanceOf(RefusedError);
    await expect(
      shop.catalog.upsert({ ...MUG, purchaseToken: KIT.purchaseToken }, { setStock: false }),
    ).rejects.toThrow(/is a bundle; give the product a purchase token of its own/);
    await expect(addBundle(shop.catalog, { ...KIT, purchaseToken: MUG.purchaseToken })).rejects.toThrow(
      /is a product with stock of its own/,
    );
  });
});
