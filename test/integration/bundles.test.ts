import { XMLParser } from 'fast-xml-parser';
import type { Order } from '../../lambda/checkout/model/order.js';
import { refund } from '../../lambda/checkout/use-cases/refund.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

// The demo catalog's bundle: the book and two mugs, 547.50 SEK of parts sold for 499.00.
const KIT = 'FIKA-KIT';
const MUG = '29834231890234';
const BOOK = 'BOOK.fika-2nd-ed';
const soap = new XMLParser({
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => name === 'invoiceRow',
});

describe('bundle tokens against DynamoDB Local and the Glase sandbox', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
    stack.sandbox?.clearFaults();
  });

  const counters = async (token: string) => {
    const { onHand, reserved, available, sold } = await stack.product(token);
    return { onHand, reserved, available, sold };
  };
  const both = async () => ({ mug: await counters(MUG), book: await counters(BOOK) });
  const buy = (clientName: string, purchaseToken = KIT) =>
    stack.purchase({ ...glaseSampleBody, purchaseToken, clientName });
  const orderOf = async (invoiceReference: string): Promise<Order> => {
    const order = (await stack.orders()).find((candidate) => candidate.invoiceReference === invoiceReference);
    if (!order) throw new Error(`no order for ${invoiceReference}`);
    return order;
  };

  it('reserves every component with the order and invoices one row per component, the rows adding up to the price', async () => {
    const before = await both();
    const response = await buy('Bundle Buyer');
    expect(response.status).toBe(200);

    const order = await orderOf(response.json.invoiceReferenceId);
    expect(order).toMatchObject({
      status: 'INVOICED',
      purchaseToken: KIT,
      totalMinor: 49900,
      stock: [
        { purchaseToken: BOOK, quantity: 1 },
        { purchaseToken: MUG, quantity: 2 },
      ],
    });
    expect(await both()).toEqual({
      mug: { ...before.mug, reserved: before.mug.reserved + 2, available: before.mug.available - 2 },
      book: { ...before.book, reserved: before.book.reserved + 1, available: before.book.available - 1 },
    });

    // What Glase received (and the sandbox checked: unit × quantity − discount = row total, rows = total).
    const call = stack.sandbox?.callsTo('sendInvoice').at(-1);
    const { invoice } = soap.parse(call?.body ?? '').Envelope.Body.sendInvoice;
    expect(invoice.totalAmount).toEqual({ currency: 'SEK', value: '499.00' });
    expect(
      invoice.invoiceRows.invoiceRow.map((row: Record<string, any>) => [
        row.itemSKU,
        row.itemQuantity,
        row.itemUnitPrice.value,
        row.itemDiscount.value,
        row.itemTotalAmount.value,
        row.itemTaxRate,
      ]),
    ).toEqual([
      ['BOOK-FIKA-2', '1', '249.50', '22.10', '227.40', '6'],
      ['GLS-MUG-350', '2', '149.00', '26.40', '271.60', '25'],
    ]);
    const product = await stack.operator.catalog.getProduct(KIT);
    expect(product?.available).toBe(
      Math.min(before.book.available - 1, Math.floor((before.mug.available - 2) / 2)),
    );
  });

  it('a sold-out component refuses the bundle: SOLD_OUT, no order, nothing reserved on the other component', async () => {
    const before = await both();
    const orders = (await stack.orders()).length;
    await stack.operator.catalog.adjustStock(BOOK, { set: before.book.reserved });

    const response = await buy('Too Late');

    expect([response.status, response.json.error.code]).toEqual([409, 'SOLD_OUT']);
    expect(response.json.error.message).toContain(KIT);
    expect(await stack.orders()).toHaveLength(orders);
    expect((await counters(MUG)).reserved).toBe(before.mug.reserved);
    expect((await counters(BOOK)).reserved).toBe(before.book.reserved);
    await stack.operator.catalog.adjustStock(BOOK, { set: before.book.onHand });
  });

  it('bundle and single purchases racing for the same mugs never sell more than there are', async () => {
    const start = await counters(MUG);
    const free = 5;
    await stack.operator.catalog.adjustStock(MUG, { set: start.reserved + free });

    const answers = await Promise.all([
      ...Array.from({ length: 6 }, (_, index) => buy(`Racing Bundle ${index}`)),
      ...Array.from({ length: 6 }, (_, index) => buy(`Racing Single ${index}`, MUG)),
    ]);

    const won = answers.filter((answer) => answer.status === 200);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.json.error.code)).toEqual(
      Array(answers.length - won.length).fill('SOLD_OUT'),
    );
    const orders = await Promise.all(won.map((answer) => orderOf(answer.json.invoiceReferenceId)));
    const mugsTaken = orders.reduce(
      (sum, order) => sum + (order.stock?.find((hold) => hold.purchaseToken === MUG)?.quantity ?? 0),
      0,
    );
    const after = await counters(MUG);
    expect(mugsTaken).toBeLessThanOrEqual(free);
    expect(after.reserved - start.reserved).toBe(mugsTaken);
    expect(after.available).toBe(free - mugsTaken);
    // Nothing is released during the race, so a single buyer is refused only once no mug is left,
    // and six single buyers cannot all win five mugs: every mug went, none twice.
    expect(mugsTaken).toBe(free);
    expect(after.available).toBe(0);
  });

  it('FAILED and CANCELED give back every component; a refund with restock returns every one', async () => {
    await stack.operator.catalog.adjustStock(MUG, { delta: 10 });
    const before = await both();

    stack.sandbox?.injectFault({ operation: 'sendInvoice', kind: 'result', resultCode: 49 });
    const failed = await buy('Refused Invoice');
    expect([failed.status, failed.json.error.code]).toEqual([502, 'GLASE_REJECTED']);
    const failedOrder = (await stack.orders()).find(
      (order) => order.customer.clientName === 'Refused Invoice',
    );
    expect(failedOrder?.status).toBe('FAILED');
    expect(await both()).toEqual(before);

    const canceled = await orderOf((await buy('Changed Mind')).json.invoiceReferenceId);
    stack.sandbox?.cancel(canceled.invoiceReference as string);
    await stack.reconcile();
    expect((await orderOf(canceled.invoiceReference as string)).status).toBe('CANCELED');
    expect(await both()).toEqual(before);

    const paid = await orderOf((await buy('Paying Bundle')).json.invoiceReferenceId);
    await stack.sandbox?.pay(paid.invoiceReference as string);
    expect((await orderOf(paid.invoiceReference as string)).status).toBe('PAID');
    expect(await both()).toEqual({
      mug: {
        ...before.mug,
        onHand: before.mug.onHand - 2,
        available: before.mug.available - 2,
        sold: before.mug.sold + 2,
      },
      book: {
        ...before.book,
        onHand: before.book.onHand - 1,
        available: before.book.available - 1,
        sold: before.book.sold + 1,
      },
    });

    const refunded = await refund(stack.operator.refund, { orderId: paid.orderId, restock: true });
    expect(refunded.status).toBe('REFUNDED');
    expect(await both()).toEqual(before);
  });
});
