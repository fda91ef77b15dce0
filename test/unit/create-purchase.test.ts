import { CLEANUP_RESERVE_MS, createPurchase } from '../../lambda/checkout/create-purchase.js';
import {
  GlaseUnavailableError,
  ProductNotForSaleError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/errors.js';
import type { Invoice } from '../../lambda/checkout/ports.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { failingWrites, overridden } from '../support/in-memory.js';
import { MUG, REQUEST, unitShop } from '../support/shop.js';

describe('createPurchase', () => {
  it('reserves a unit, records the order, invoices it exactly as sold, and marks it INVOICED', async () => {
    const shop = await unitShop();
    const result = await createPurchase(shop.purchase, REQUEST);

    const order = await shop.orders.get(result.orderId);
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
    expect(shop.orders.orders.size).toBe(0);
    expect(shop.glase.calls).toEqual([]);
  });

  it('when the last unit goes between the read and the reservation: SOLD_OUT, no order, no invoice', async () => {
    const shop = await unitShop([{ ...MUG, onHand: 1 }]);
    const stale = await shop.orders.lookup(MUG.purchaseToken, 'x');
    await createPurchase(shop.purchase, REQUEST);
    // This request read the product while it still had its unit.
    const orders = overridden(shop.orders, { lookup: async () => ({ product: stale.product }) });
    const late = { ...REQUEST, clientName: 'Late', email: 'late@example.com' };
    await expect(createPurchase({ ...shop.purchase, orders }, late)).rejects.toBeInstanceOf(SoldOutError);
    expect(shop.orders.orders.size).toBe(1);
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
      const [order] = [...shop.orders.orders.values()];
      expect(order).toMatchObject({ status: 'FAILED', failureReason: reason });
      expect(order?.history.at(-1)).toMatchObject({ status: 'FAILED', reason });
      expect(await shop.stock()).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    },
  );

  it('when recording the invoice fails: withdraws it at Glase, fails the order, gives the unit back', async () => {
    const shop = await unitShop();
    const orders = failingWrites(shop.orders, ({ order }) => order.status === 'INVOICED');
    await expect(createPurchase({ ...shop.purchase, orders }, REQUEST)).rejects.toThrow(
      'DynamoDB is unavailable',
    );
    const [order] = [...shop.orders.orders.values()];
    expect(order).toMatchObject({
      status: 'FAILED',
      failureReason: 'invoiced but not recorded; invoice withdrawn',
    });
    expect(shop.glase.callsTo('cancelInvoice').map((call) => call.request)).toEqual(['1001']);
    expect(await shop.stock()).toMatchObject({ reserved: 0, available: 5 });
  });

  it('when the withdrawal fails too: warns, and leaves the order RESERVED for the reconciler', async () => {
    const shop = await unitShop();
    const orders = failingWrites(shop.orders, ({ order }) => order.status === 'INVOICED');
    shop.glase.script(
      'cancelInvoice',
      new GlaseUnavailableError('Glase cancelInvoice could not be reached', 'unreachable'),
    );
    await expect(createPurchase({ ...shop.purchase, orders }, REQUEST)).rejects.toThrow(
      'DynamoDB is unavailable',
    );
    expect([...shop.orders.orders.values()].map((order) => order.status)).toEqual(['RESERVED']);
    expect(shop.warnings).toEqual([
      {
        message: 'could not withdraw an invoice after failing to record it',
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
    const orders = failingWrites(shop.orders, ({ order }) => order.status === 'FAILED');
    await expect(createPurchase({ ...shop.purchase, orders }, REQUEST)).rejects.toBe(error);
    expect(shop.warnings.map((warning) => warning.message)).toEqual(['could not release a reservation']);
  });

  it('keeps to a deadline: sendInvoice gets it minus the cleanup reserve, a withdrawal the whole of it', async () => {
    const shop = await unitShop();
    const deadline = Date.parse('2030-01-01T00:00:15.000Z');
    await createPurchase(shop.purchase, REQUEST, { deadline });
    expect(shop.glase.callsTo('sendInvoice')[0]?.budget).toEqual({ deadline: deadline - CLEANUP_RESERVE_MS });

    const orders = failingWrites(shop.orders, ({ order }) => order.status === 'INVOICED');
    const other = { ...REQUEST, email: 'other@example.com' };
    await expect(createPurchase({ ...shop.purchase, orders }, other, { deadline })).rejects.toThrow();
    expect(shop.glase.callsTo('cancelInvoice')[0]?.budget).toEqual({ deadline });
    await createPurchase(shop.purchase, { ...REQUEST, email: 'third@example.com' });
    expect(shop.glase.callsTo('sendInvoice').at(-1)?.budget).toEqual({ deadline: undefined });
  });
});
